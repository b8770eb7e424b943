"""The "your turn" exercises of the lesson notebooks.

    from workshop.exercises import check, hint, solution

    def softmax(logits):
        ...                       # the learner's code

    check("softmax", softmax)     # prints "✓ ..." or "✗ <what is wrong>", returns True / False
    hint("softmax")               # prints a hint
    solution("softmax")           # prints a reference solution's source

Each checker runs the learner's function on fresh random inputs (a new seed every call, edge
cases included) against the truth - the package's own implementations, scipy, numpy.linalg,
tf.GradientTape - and names the mistake when it recognises one. One file per lesson module
holds its exercises (reference solution, checker, hint); core.py holds the shared comparisons.
TensorFlow is imported only by the checker that needs it, so this import stays light.
"""

import importlib
import inspect

from workshop.errors import UsageError
from workshop.exercises.core import Exercise, Wrong

FILES = ("presentation", "neurons", "features", "studio", "demo", "next", "qa")  # in lesson order

EXERCISES: dict[str, Exercise] = {}
for _file in FILES:
    EXERCISES.update(importlib.import_module(f"workshop.exercises.{_file}").EXERCISES)

__all__ = ["check", "hint", "solution", "EXERCISES", "Exercise"]


def exercise(name: str) -> Exercise:
    """The exercise called `name`, or UsageError listing the valid names."""
    if name not in EXERCISES:
        raise UsageError(f"no exercise {name!r}; the exercises are: {', '.join(EXERCISES)}")
    return EXERCISES[name]


def check(name: str, fn) -> bool:
    """Run exercise `name`'s checker on the learner's function; print ✓ or ✗ and why; True if it passed."""
    checker = exercise(name).checker
    if not callable(fn):
        print(f"✗ pass the function itself, check({name!r}, {name}), not what it returns")
        return False
    try:
        passed = checker(fn)
    except Wrong as wrong:
        print(f"✗ {wrong}")
        return False
    except Exception as e:  # something the checker did not foresee: still one line
        print(f"✗ could not check what your function returned ({type(e).__name__}: {e})"[:200])
        return False
    print(f"✓ {name}: {passed}")
    return True


def hint(name: str) -> None:
    """Print exercise `name`'s hint."""
    print(exercise(name).hint)


def solution(name: str) -> None:
    """Print a reference solution of exercise `name`: the imports it needs, then its source."""
    ex = exercise(name)
    source = inspect.getsource(ex.solution)
    print(f"{ex.imports}\n\n\n{source}" if ex.imports else source, end="")
