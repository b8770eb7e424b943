"""Shared fixtures. Tests never touch the project's own logs/, models/ or datasets/."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Point logs and datasets at a temporary folder, and keep any mirror setting out."""
    monkeypatch.setenv("WORKSHOP_LOGDIR", str(tmp_path / "logs"))
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path / "datasets"))
    monkeypatch.delenv("WORKSHOP_DATASETS_MIRROR", raising=False)
    monkeypatch.delenv("KERAS_BACKEND", raising=False)


def run_cli(*args, env=None, timeout=600):
    """Run `python -m workshop ARGS` in a subprocess; returns the CompletedProcess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "workshop", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
