"""The workshop's six modules, each a lesson text beside the code of its demos.

    workshop/lessons/<module>.md   what `workshop lesson <module>` prints
    workshop/lessons/<module>.py   `run(ctx) -> dict`, what `workshop run <module>` runs

The module names and their order come from workshop/agenda.py. Importing this
package does not import TensorFlow; each module's demos import it when they run.
"""

import importlib
from pathlib import Path

from workshop.agenda import MODULES
from workshop.errors import UsageError

LESSONS_DIR = Path(__file__).resolve().parent


def check_module(name: str, allow_all: bool = False) -> None:
    """UsageError (exit 2) naming the valid modules when `name` is not one of them."""
    valid = (*MODULES, "all") if allow_all else MODULES
    if name not in valid:
        raise UsageError(f"unknown module {name!r}; choose one of: {', '.join(valid)}")


def lesson_text(name: str) -> str:
    """The Markdown of module `name`'s lesson."""
    check_module(name)
    return (LESSONS_DIR / f"{name}.md").read_text(encoding="utf-8")


def demos(name: str):
    """The Python module holding `run(ctx) -> dict` for agenda module `name`."""
    check_module(name)
    return importlib.import_module(f"workshop.lessons.{name}")
