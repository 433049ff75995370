"""The embedded default data set: drawn 48x48 faces with FER-2013's seven expressions.

It lets ``python -m fer_bench run all`` work with no download, and tests run in
seconds. It is never real data: every run on it says SYNTHETIC.

Each face is a cartoon rendered with numpy from a few parameters: face oval,
hair, eyes (white, iris), brows, nose and mouth. Each expression moves them
away from a neutral face, following the facial action units of its prototype
(Ekman & Friesen's FACS):

========  ============================================================
Angry     inner brows lowered and drawn together, narrowed eyes, lips pressed thin
Disgust   upper lip raised (one side more), wrinkled nose, lowered brows, narrowed eyes
Fear      brows raised with inner ends up, wide eyes, open mouth stretched sideways
Happy     corners of the mouth up (a smile, sometimes open), slightly narrowed eyes
Sad       corners of the mouth down, inner brows raised
Surprise  brows high, eyes wide, round open mouth
Neutral   none of these
========  ============================================================

Every face draws its own cue strength (from faint to full), identity
(proportions, skin, hair, background), pose (shift, rotation, scale), lighting
gradient, contrast and Gaussian noise, so classes overlap: a linear model on
raw pixels is well above chance (1/7) but far from perfect. Measured on the
default set's PrivateTest: logistic regression on standardised pixels 76%
trained on all 1,680 Training faces, the linear SVC 56% on 420 and 77% on
1,680; the RBF SVC (C=1) 31% on 420 and 52% on 1,680.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ..labels import FER2013_CLASSES, SPLITS
from ._dataset import FERDataset

SIZE = 48
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)
"""Training, PublicTest, PrivateTest shares, about FER-2013's 28,709 / 3,589 / 3,589."""
_FACES_PER_CHUNK = 128

# Expression cues, per class in FER2013_CLASSES order, as displacements from the
# neutral face in pixels (or as factors) at full strength.
_CUES = {
    #                 Angry  Disgust  Fear  Happy   Sad  Surprise  Neutral
    "brow_raise":   (-2.0,  -1.2,    2.6,  0.3,   0.6,  3.6,      0.0),  # both ends up
    "brow_inner":   (-2.8,  -1.2,    1.8,  0.0,   2.8,  0.2,      0.0),  # inner ends up (relative)
    "brow_squeeze": (1.5,   1.0,     0.6,  0.0,   0.5,  0.0,      0.0),  # inner ends towards the nose
    "eye_open":     (-0.35, -0.35,   0.6,  -0.3,  -0.1, 0.7,      0.0),  # relative eye height
    "smile":        (-0.4,  -1.2,    -0.8, 3.2,   -2.8, 0.0,      0.0),  # mouth corners up
    "mouth_width":  (-1.8,  0.3,     2.2,  1.4,   -0.5, -2.0,     0.0),
    "mouth_open":   (0.0,   0.6,     2.4,  0.7,   0.0,  4.4,      0.0),
    "lip_raise":    (0.0,   2.2,     0.0,  0.0,   0.0,  0.0,      0.0),  # upper lip up, one side more
    "lip_press":    (0.8,   0.0,     0.0,  0.0,   0.2,  0.0,      0.0),  # thinner, darker lips
    "wrinkle":      (0.3,   1.0,     0.0,  0.0,   0.0,  0.0,      0.0),  # nose wrinkles
}


def _mix(base: np.ndarray, paint: np.ndarray | float, cover: np.ndarray) -> np.ndarray:
    """``base`` painted over with ``paint`` where ``cover`` (0..1) says."""
    return base + cover * (paint - base)


def _ellipse(u, v, cu, cv, ru, rv) -> np.ndarray:
    """Coverage 0..1 of an ellipse, antialiased over about one pixel."""
    radius = np.sqrt(((u - cu) / ru) ** 2 + ((v - cv) / rv) ** 2)
    return np.clip((1.0 - radius) * np.minimum(ru, rv) + 0.5, 0.0, 1.0)


def _segment(u, v, u0, v0, u1, v1, half_width) -> np.ndarray:
    """Coverage 0..1 of a thick line segment from (u0, v0) to (u1, v1)."""
    du, dv = u1 - u0, v1 - v0
    t = np.clip(((u - u0) * du + (v - v0) * dv) / (du * du + dv * dv), 0.0, 1.0)
    distance = np.hypot(u - u0 - t * du, v - v0 - t * dv)
    return np.clip(half_width - distance + 0.5, 0.0, 1.0)


def _render(rng: np.random.Generator, labels: np.ndarray) -> np.ndarray:
    """Draw one face per label: ``ndarray of uint8, shape (n, 48, 48)``."""
    n = len(labels)

    def draw(low, high):  # one value per face, broadcastable over (48, 48)
        return rng.uniform(low, high, (n, 1, 1)).astype(np.float32)

    def jitter(scale):
        return rng.normal(0.0, scale, (n, 1, 1)).astype(np.float32)

    strength = draw(0.15, 1.1)
    cue = {name: strength * np.asarray(values, np.float32)[labels][:, None, None] for name, values in _CUES.items()}

    # Pose: face coordinates (u right, v down, in pixels at scale 1) of every image pixel.
    angle, scale = np.deg2rad(jitter(3.0)), draw(0.95, 1.05)
    x, y = np.meshgrid(np.arange(SIZE, dtype=np.float32), np.arange(SIZE, dtype=np.float32))
    x = x - (SIZE - 1) / 2 - jitter(0.8)
    y = y - (SIZE - 1) / 2 - jitter(0.8)
    u = (np.cos(angle) * x + np.sin(angle) * y) / scale
    v = (-np.sin(angle) * x + np.cos(angle) * y) / scale

    background, skin, hair = draw(0.25, 0.45), draw(0.55, 0.75), draw(0.1, 0.3)
    image = np.broadcast_to(background, (n, SIZE, SIZE)).copy()
    face_w, face_h = 15.5 + jitter(1.0), 19.5 + jitter(1.0)
    image = _mix(image, skin, _ellipse(u, v, 0.0, 1.0, face_w, face_h))
    hairline = -10.5 + jitter(1.5)
    image = _mix(image, hair, _ellipse(u, v, 0.0, 1.0, face_w + 1.0, face_h + 1.0) * np.clip(hairline - v, 0, 1))

    # Eyes: white, then iris; brows above them.
    eye_u, eye_v = 6.5 + jitter(0.5), -3.0 + jitter(0.7)
    eye_w = 3.2 + jitter(0.3)
    eye_h = np.clip((1.7 + jitter(0.2)) * (1.0 + cue["eye_open"]), 0.5, None)
    brow_v = eye_v - 4.5 + jitter(0.5) - cue["brow_raise"]
    brow_inner_u = 2.5 + jitter(0.3) - cue["brow_squeeze"]
    for side in (-1.0, 1.0):
        image = _mix(image, 0.95, _ellipse(u, v, side * eye_u, eye_v, eye_w, eye_h))
        iris = _ellipse(u, v, side * eye_u + jitter(0.3), eye_v, 1.5, np.minimum(1.5, eye_h))
        image = _mix(image, 0.08, iris)
        brow = _segment(u, v, side * brow_inner_u, brow_v - cue["brow_inner"],
                        side * (eye_u + eye_w + 1.0), brow_v + 0.4 * cue["brow_inner"], 0.9)
        image = _mix(image, hair * 0.6, brow)

    # Nose: a shadow line and nostrils; disgust wrinkles across its bridge.
    shade = skin * 0.75
    image = _mix(image, shade, _segment(u, v, 0.6, -1.0, 1.2, 5.0, 0.5))
    for side in (-1.0, 1.0):
        image = _mix(image, shade * 0.7, _ellipse(u, v, side * 1.8, 6.0, 1.0, 0.7))
    for row in (-1.5, 0.5):
        image = _mix(image, shade, np.clip(cue["wrinkle"], 0, 1) * _segment(u, v, -2.0, row, 2.0, row, 0.4))

    # Mouth: lips along a parabola (corners up for a smile), an opening between them.
    mouth_v = 11.5 + jitter(0.8)
    half_width = 6.0 + jitter(0.5) + cue["mouth_width"]
    across = np.clip(u / half_width, -1.0, 1.0)
    side_lift = cue["lip_raise"] * (0.6 + 0.4 * np.sign(jitter(1.0)) * across)  # more on a random side
    curve = mouth_v - cue["smile"] * across ** 2
    gap = 0.5 * cue["mouth_open"] * np.sqrt(1.0 - across ** 2)  # an opening closed at the corners
    upper = curve - side_lift - gap
    lower = curve + gap + 0.3 * np.clip(cue["smile"], 0, None) * (1.0 - across ** 2)
    inside = np.clip(half_width - np.abs(u) + 0.5, 0, 1)
    opening = inside * np.clip(np.minimum(v - upper, lower - v) + 0.5, 0, 1)
    image = _mix(image, 0.05, opening)
    lip = np.clip(1.1 - 0.4 * cue["lip_press"], 0.4, None)
    lips = inside * np.clip(lip + 0.5 - np.minimum(np.abs(v - upper), np.abs(v - lower)), 0, 1)
    image = _mix(image, skin * np.clip(0.55 - 0.2 * cue["lip_press"], 0.2, None), lips)

    # Camera: lighting gradient, contrast, brightness, sensor noise.
    image = image * draw(0.9, 1.1) + draw(-0.05, 0.05) + jitter(0.004) * x + jitter(0.004) * y
    image = image + rng.normal(0.0, 1.0, image.shape).astype(np.float32) * draw(0.02, 0.05)
    return np.clip(np.rint(image * 255.0), 0, 255).astype(np.uint8)


def make_synthetic(n_per_class: int = 300, seed: int = 0) -> FERDataset:
    """Generate the synthetic data set: drawn faces, seven FER-2013 classes, balanced.

    Parameters
    ----------
    n_per_class : int
        Faces per class, split 8:1:1 into Training, PublicTest and PrivateTest
        (the default 300 gives 2,100 faces: 1,680 / 210 / 210).
    seed : int
        Seed of every random choice: the same arguments give the same arrays.

    Returns
    -------
    FERDataset
        ``images`` uint8 (7 * n_per_class, 48, 48), ``labels`` int64, ``usage``
        ordered Training, PublicTest, PrivateTest with classes shuffled within
        each split; ``synthetic=True``, ``source="synthetic"``, ``sha256`` over
        the arrays.

    Raises
    ------
    ValueError
        If ``n_per_class`` is below 3 (each split needs a face of each class).
    """
    if n_per_class < 3:
        raise ValueError(f"n_per_class={n_per_class}: need at least 3, one face per class in each split")
    rng = np.random.default_rng(seed)
    n_public = n_private = max(1, round(n_per_class * SPLIT_FRACTIONS[2]))
    per_split = (n_per_class - n_public - n_private, n_public, n_private)
    n_classes = len(FER2013_CLASSES)
    labels = np.concatenate([rng.permutation(np.repeat(np.arange(n_classes, dtype=np.int64), count))
                             for count in per_split])
    usage = np.repeat(np.array(SPLITS), [count * n_classes for count in per_split])
    # Chunks of faces keep the working arrays in cache: nearly twice as fast as all at once.
    images = np.concatenate([_render(rng, labels[first:first + _FACES_PER_CHUNK])
                             for first in range(0, len(labels), _FACES_PER_CHUNK)])
    digest = hashlib.sha256()
    for array in (images, labels, usage):
        digest.update(array.tobytes())
    return FERDataset(images=images, labels=labels, usage=usage,
                      source="synthetic", sha256=digest.hexdigest(), synthetic=True)
