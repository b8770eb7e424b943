"""New run folders: logs/<experiment>/<model>-<api>-<dataset>-<timestamp>[-N].

A folder is claimed with an exclusive mkdir, so two runs started in the same second
get two folders, and no run ever writes into another's.
"""

import time
from pathlib import Path

from workshop.errors import WorkshopError


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
