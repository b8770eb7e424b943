"""Shared fixtures. Tests never touch the project's own logs/, models/ or datasets/."""

import contextlib
import os
import signal
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


def children(pid) -> list[int]:
    """The pids whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def alive(pid) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def terminal_signals():
    """preexec_fn for a process a test stops with Ctrl-C or SIGTERM: the signals as a terminal
    delivers them (default actions, unblocked), whatever the test process passes on to its children
    (a non-interactive shell starts background jobs with SIGINT ignored, and children inherit that)."""
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})


def run_cli(*args, env=None, timeout=600):
    """Run `python -m workshop ARGS` in a subprocess; returns the CompletedProcess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "workshop", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def tree_hashes(*folders) -> dict:
    """{path: sha256} of every file under the folders: taken before and after a fault, it shows
    that nothing earlier was changed, replaced or removed."""
    import hashlib
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def assert_one_line_error(result, exit_code=1):
    """A refusal as the CLI promises it: the exit status, no traceback, one `workshop: error:` line
    that says what is wrong (and argparse's usage errors add one `(see ... --help)` line)."""
    assert result.returncode == exit_code, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, result.stderr[-3000:]
    line = errors[0]
    assert len(line) > len("workshop: error: ") + 10 and not line.rstrip().endswith(("...", "…")), line
    return line


def png_dpi(png: bytes) -> float:
    """The resolution a PNG declares in its pHYs chunk, in dots per inch (the smaller of x and y);
    0 when it declares none (a viewer then assumes 72 or 96)."""
    import struct
    pos = 8  # after the signature: chunks of length, type, data, CRC; pHYs must come before the image data
    while pos + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"pHYs":
            x, y, unit = struct.unpack(">IIB", png[pos + 8:pos + 17])
            return min(x, y) * 0.0254 if unit == 1 else 0.0  # unit 1: pixels per metre
        if kind == b"IDAT":
            return 0.0
        pos += 12 + length
    return 0.0
