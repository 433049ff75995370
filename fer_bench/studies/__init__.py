"""Studies of saved models, apart from the face pipeline: resolution (:mod:`.resize`), a card's preprocessing
(:mod:`.preprocessing`) and cross-dataset evaluation (:mod:`.evaluate`).

Each writes a JSON record and a self-contained HTML page (:mod:`.record`, :mod:`fer_bench.report.templating`),
by default beside the run the model came from (:func:`default_output_dir`).
"""

from .evaluate import default_output_dir, evaluate, summary_text, write_evaluation
from .resize import resize_study, run_resize_study, table_text, write_resize_study

__all__ = ["default_output_dir", "evaluate", "resize_study", "run_resize_study", "summary_text", "table_text",
           "write_evaluation", "write_resize_study"]
