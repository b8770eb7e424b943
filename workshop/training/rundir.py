"""Run folders: logs/<experiment>/<model>-<api>-<dataset>-<timestamp>[-N].

A new folder is claimed with an exclusive mkdir, so two runs started in the same second
get two folders, and no run ever writes into another's. The process training in a folder,
new or resumed, holds a lock on it (`claim`: flock on <run>/.lock, which the kernel lets go
when the process ends, however it ends): a second `--resume` of the same run is refused
instead of training into the same folder, and `holder` says who has it.
"""

import json
import os
import time
from pathlib import Path

from workshop.errors import UsageError, WorkshopError

try:
    import fcntl
except ImportError:  # Windows: no flock; runs are not locked there
    fcntl = None

LOCK = ".lock"
_held = {}  # run folder -> the open lock file this process holds


def new_run_dir(logs: Path, experiment: str, name: str) -> Path:
    parent = Path(logs) / experiment
    try:
        parent.mkdir(parents=True, exist_ok=True)
        probe = parent / f".{name}-probe"
        probe.mkdir(exist_ok=True)  # creating a folder there is what a run needs
        probe.rmdir()
    except OSError as e:
        raise WorkshopError(f"cannot write the logs under {parent} ({e.strerror or e}); "
                            "choose a writable folder with --logdir (or the WORKSHOP_LOGDIR variable)") from None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1, 10_000):
        run_dir = parent / (f"{name}-{stamp}" if n == 1 else f"{name}-{stamp}-{n}")
        try:
            run_dir.mkdir()
            return run_dir
        except FileExistsError:
            continue
    raise RuntimeError(f"no free run folder name under {parent}")


def claim(run_dir: Path, resumed: bool):
    """Lock `run_dir` for this process until `release` or its end. UsageError (one line) if another
    process holds it: a run is trained by one process at a time."""
    if fcntl is None or str(run_dir) in _held:
        return
    f = open(Path(run_dir) / LOCK, "a+")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.close()
        raise busy(run_dir, holder(run_dir) or {}) from None
    f.seek(0)
    f.truncate()
    f.write(json.dumps({"pid": os.getpid(), "resumed": resumed}))
    f.flush()
    _held[str(run_dir)] = f


def release(run_dir: Path):
    """Let `run_dir` go (the run ended): its lock file goes too."""
    f = _held.pop(str(run_dir), None)
    if f is not None:
        (Path(run_dir) / LOCK).unlink(missing_ok=True)
        f.close()


def holder(run_dir: Path) -> dict | None:
    """{"pid", "resumed"} of the other process training in `run_dir`, or None if none is."""
    path = Path(run_dir) / LOCK
    if fcntl is None or str(run_dir) in _held or not path.exists():
        return None
    try:
        with open(path) as f:
            try:
                fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return None  # nobody holds it: a process that ended left the file
            except BlockingIOError:
                try:
                    return json.loads(f.read() or "{}")
                except ValueError:
                    return {}
    except OSError:
        return None


def busy(run_dir: Path, who: dict) -> UsageError:
    pid = f" (pid {who['pid']})" if who.get("pid") else ""
    doing = "continuing" if who.get("resumed", True) else "training"
    return UsageError(f"another process{pid} is {doing} the run {run_dir} right now; wait for it to end, or stop "
                      "it, before resuming it again")
