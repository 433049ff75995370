"""Duplicates, train/test leakage and broken faces in a FER data set.

FER-2013 is not clean: hundreds of PublicTest and PrivateTest faces are copies
of Training faces (pixel-identical, or re-encoded, re-cropped or re-lit
copies of the same photo), Training holds groups of identical faces, some with
different labels, and a few faces are blank. :func:`audit_dataset` finds them:

- exact duplicates: identical pixel bytes, grouped over the whole data set;
- near duplicates: a PublicTest or PrivateTest face and a Training face whose
  64-bit perceptual hashes (``imagehash.phash``, ``hash_size=8``) differ in at
  most ``near_threshold`` bits, exact copies excluded (they are counted as
  exact) and blank faces left out (their hash is noise);
- blank faces: pixel standard deviation below ``blank_std``;
- label conflicts: exact-duplicate groups whose faces carry different labels.

The default threshold of 4 bits was chosen on the real FER-2013: about 1% of
the test/Training pairs it flags are different photos, against about 6% of the
pairs at distance 6 and about half of those at 8 (``phash`` thresholds the
64 DCT coefficients at their median, so two hashes almost always differ in an
even number of bits).

:func:`test_leak_mask`, :func:`training_leak_mask` and :func:`blank_mask` turn
an audit into masks for evaluating without the leaked faces or training
without them; :func:`cached_audit` keeps audits on disk by the data set's
sha256.
"""

from .cache import cached_audit, default_cache_dir
from .compute import DEFAULT_BLANK_STD, DEFAULT_NEAR_THRESHOLD, TEST_SPLITS, TRAINING, audit_dataset
from .masks import blank_mask, test_leak_mask, training_leak_mask
from .result import HASH_METHOD, HASH_SIZE, SCHEMA_VERSION, DataAudit
from .text import format_audit

__all__ = ["DEFAULT_BLANK_STD", "DEFAULT_NEAR_THRESHOLD", "HASH_METHOD", "HASH_SIZE", "SCHEMA_VERSION",
           "TEST_SPLITS", "TRAINING", "DataAudit", "audit_dataset", "blank_mask", "cached_audit", "default_cache_dir",
           "format_audit", "test_leak_mask", "training_leak_mask"]
