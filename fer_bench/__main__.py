import os
import sys

# OpenMP threads that spin while they wait would count another program's CPU time on a time budget's CPU clock
# (fer_bench.estimators._clock): they sleep instead, unless the user chose otherwise. Set before torch loads OpenMP.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .cli import main  # noqa: E402

sys.exit(main())
