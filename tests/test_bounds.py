"""Every input has bounds (issue 26): numbers out of range, files made to exhaust memory (a zip or gzip
bomb, a .tflite with a huge intermediate tensor, a download that does not stop), paths that climb out
of --logdir, two processes on one run. Each gets one line, never a traceback, before the cost is paid,
and nothing made earlier is lost.

What must be shown not to allocate runs in a subprocess whose peak memory is read back (`measured`).
"""

import os
import subprocess
import sys
import tempfile
import time
from types import SimpleNamespace

import pytest

from conftest import ROOT, assert_one_line_error

MB = 1024  # ru_maxrss is in kB on Linux


def measured(*args, timeout=300, env=None) -> SimpleNamespace:
    """`python -m workshop ARGS` in a subprocess: returncode, stdout, stderr, and its peak resident
    memory in kB (its own, from wait4, not its siblings')."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen([sys.executable, "-m", "workshop", *map(str, args)], cwd=ROOT, stdout=out,
                                   stderr=err, env={**os.environ, **(env or {})})
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
            time.sleep(0.02)
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it
        out.seek(0)
        err.seek(0)
        return SimpleNamespace(returncode=process.returncode, stdout=out.read().decode(), stderr=err.read().decode(),
                               max_rss_kb=usage.ru_maxrss)


def run_main(capsys, *args):
    from workshop.cli import main
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as e:  # argparse's usage errors
        code = e.code
    out = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)


# -- numbers out of range: one line, before anything starts ------------------------------------------------------

@pytest.mark.parametrize("args,line", [
    (["--api", "numpy", "--seed", "-1"], "--seed must be a whole number from 0 to 2147483647, got -1"),
    (["--api", "keras", "--seed", str(2**31)], "--seed must be a whole number from 0 to 2147483647, got 2147483648"),
    (["--api", "raw", "--threads", "99999999999"], "--threads must be 0 (auto) or a count up to 1024 (this "
                                                   f"machine has {os.cpu_count()} cores), got 99999999999"),
    (["--api", "raw", "--threads", "-2"], "--threads must be 0 (auto) or a count up to 1024"),
])
def test_numbers_out_of_range_are_one_line(capsys, args, line):
    r = run_main(capsys, "train", "mlp", *args)
    assert line in assert_one_line_error(r, 2)


@pytest.mark.parametrize("api", ["numpy", "keras"])
def test_a_model_too_large_for_memory_is_refused_before_allocating(api, tmp_path):
    """--hidden 2000000000: 150 billion weights. Refused with its size, before a byte of it exists (the process
    peaks at what Python and NumPy take: under 200 MB; allocating was `Unable to allocate 954. GiB`, or the
    kernel's OOM killer)."""
    r = measured("train", "mlp", "--api", api, "--hidden", "2000000000", "--logdir", tmp_path / "logs")
    line = assert_one_line_error(r, 2)
    assert line.startswith("workshop: error: this mlp has 150,000,000,010 weights on digits (--hidden 2000000000): "
                           "training it needs at least 2.4 TB (16 bytes a weight), more than the "), line
    assert line.endswith("of memory free here; choose smaller --hidden sizes"), line
    assert r.max_rss_kb < 200 * MB, r.max_rss_kb
    assert not (tmp_path / "logs").exists()


def test_the_size_check_counts_every_layer(monkeypatch):
    """Weights and biases of every layer, against the memory free: a model just over it is refused, one under
    it passes."""
    from workshop import config
    from workshop.errors import UsageError
    weights = 64 * 1000 + 1000 + 1000 * 500 + 500 + 500 * 10 + 10  # --hidden 1000 500 on digits (8x8, 10 classes)
    monkeypatch.setattr(config, "memory_bytes", lambda: 16 * weights)
    config.TrainConfig(model="mlp", hidden=(1000, 500)).resolved()
    monkeypatch.setattr(config, "memory_bytes", lambda: 16 * weights - 1)
    with pytest.raises(UsageError, match=f"this mlp has {weights:,} weights on digits"):
        config.TrainConfig(model="mlp", hidden=(1000, 500)).resolved()
