"""Helpers of the runner's and the command line's tests: the plugin file, fit tasks and data, waiting."""

import time
from pathlib import Path

from fer_bench.profiles import Profile, load_profile
from fer_bench.runner import FitData, FitTask

PLUGINS = str(Path(__file__).with_name("majority_plugins.py"))
"""The ``--plugin`` file registering ``sleeper``, ``other_sleeper`` and ``lockout``."""
SLEEPER = LOCKOUT = PLUGINS
WHOLE = Profile(name="whole", data={})  # every face of the tiny planted set


def fit_task(name, family="classical", **kwargs):
    return FitTask(name=name, family=family, plugins=(SLEEPER,), profile=load_profile("smoke"), n_classes=7, seed=0,
                   **kwargs)


def fit_data(dataset):
    return FitData({split: dataset.split(split) for split in ("Training", "PublicTest", "PrivateTest")},
                   dataset.class_names)


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.2)
