"""Commands the package suggests, written so they work when pasted into the learner's shell.

After `make setup` the `workshop` command lives in .venv/bin/. In a shell where the
virtual environment is active (`source .venv/bin/activate`) it is just `workshop`; in one
where it is not (`make demo` runs it for you), a bare `workshop` is "command not found",
so every hint names the command the way this very run was reached.
"""

import os
import shutil
import sys
from pathlib import Path


def command(rest: str) -> str:
    """`workshop REST` as the learner can paste it here: `workshop` when this installation's
    command is the one on PATH, else its path (.venv/bin/workshop from the project folder)."""
    return f"{program()} {rest}"


def program() -> str:
    script = Path(sys.executable).parent / "workshop"  # the console script beside this Python
    if not script.exists():
        return f"{shown(sys.executable)} -m workshop"
    on_path = shutil.which("workshop")
    if on_path and os.path.realpath(on_path) == os.path.realpath(script):
        return "workshop"
    return shown(script)


def shown(path) -> str:
    """`path` relative to the working directory when it is below it (.venv/bin/workshop, logs/demo:
    shorter to read), else as given."""
    path = Path(path)
    return os.path.relpath(path) if path.absolute().is_relative_to(Path.cwd().absolute()) else str(path)
