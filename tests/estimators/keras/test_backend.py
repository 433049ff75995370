import os
import subprocess
import sys


def test_importing_keras_shows_no_tensorflow_start_up_lines():
    code = "from fer_bench.estimators.keras.backend import import_keras\nimport_keras()\nimport sys\nprint('kept', file=sys.stderr)"
    env = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "oneDNN" not in result.stderr and "absl::InitializeLog" not in result.stderr, result.stderr
    assert "kept" in result.stderr
