"""What a run stored, typed: the run directory's layout and ``results.json``.

- :mod:`.manifest`: :class:`RunManifest`, what a run was made on and with (and its parts
  :class:`RunData`, :class:`Cleaning`, :class:`Execution`);
- :mod:`.record`: :class:`RunRecord`, what one estimator did with one seed, and how files and messages name it;
- :mod:`.cross_scores`: :class:`CrossTarget` and :class:`CrossScore`, the other data sets a run's models are
  scored on (``run --also-test``) and their scores;
- :mod:`.store`: :class:`ResultsStore`, which reads ``results.json`` once, checked, and writes the run directory;
- :mod:`.json_fields`: the typed reading of JSON fields that names a wrong one.
"""

from .cross_scores import CrossScore, CrossTarget
from .manifest import Cleaning, Execution, RunData, RunManifest
from .record import MAX_SEED, STATUSES, RunRecord, fit_label, seed_stem
from .store import (CHECKPOINTS_DIR, CROSS_PREDICTIONS_DIR, CROSSVAL_JSON, LOGS_DIR, MODELS_DIR, PREDICTIONS_DIR,
                    RESULTS_FILE, SCHEMA_VERSION, TEST_FACES_FILE, ResultsStore)

__all__ = ["CHECKPOINTS_DIR", "CROSS_PREDICTIONS_DIR", "CROSSVAL_JSON", "Cleaning", "CrossScore", "CrossTarget",
           "Execution", "LOGS_DIR", "MAX_SEED", "MODELS_DIR", "PREDICTIONS_DIR", "RESULTS_FILE", "ResultsStore",
           "RunData", "RunManifest", "RunRecord", "SCHEMA_VERSION", "STATUSES", "TEST_FACES_FILE", "fit_label",
           "seed_stem"]
