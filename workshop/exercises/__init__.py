"""The "your turn" exercises of the lesson notebooks.

    from workshop.exercises import check, hint, solution

    def softmax(logits):
        ...                       # the learner's code

    check("softmax", softmax)     # prints "✓ ..." or "✗ <what is wrong>" (returns nothing: a notebook
                                  # cell ending with it shows the line, no True or False under it)
    hint("softmax")               # prints a hint
    solution("softmax")           # prints a reference solution's source

A function not written yet (its body only `return None`, or `pass`) gets one neutral line,
"softmax: your turn — not written yet": a notebook run top to bottom shows no failures.

Each checker runs the learner's function on fresh random inputs (a new seed every call, edge
cases included) against the truth - the package's own implementations, scipy, numpy.linalg,
tf.GradientTape - and names the mistake when it recognises one. One file per lesson module
holds its exercises (reference solution, checker, hint); core.py holds the shared comparisons.
TensorFlow is imported only by the checker that needs it, so this import stays light.
"""

import dis
import importlib

from workshop.errors import UsageError
from workshop.exercises.core import Exercise, Wrong

FILES = ("presentation", "neurons", "features", "studio", "demo", "next", "qa", "levels")  # in lesson order

EXERCISES: dict[str, Exercise] = {}
for _file in FILES:
    EXERCISES.update(importlib.import_module(f"workshop.exercises.{_file}").EXERCISES)

__all__ = ["check", "verdict", "hint", "solution", "EXERCISES", "Exercise"]


def exercise(name: str) -> Exercise:
    """The exercise called `name`, or UsageError listing the valid names."""
    if name not in EXERCISES:
        raise UsageError(f"no exercise {name!r}; the exercises are: {', '.join(EXERCISES)}")
    return EXERCISES[name]


def not_written(fn) -> bool:
    """True when `fn` does nothing but return None: the stub a lesson hands out (`return None  # your
    code here`, or `pass`), whatever its docstring says."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    ops = [(i.opname, i.argval) for i in dis.get_instructions(code) if i.opname not in ("RESUME", "NOP", "CACHE")]
    return ops in ([("LOAD_CONST", None), ("RETURN_VALUE", None)], [("RETURN_CONST", None)])


def verdict(name: str, fn) -> tuple[bool | None, str]:
    """(True, "✓ ...") when exercise `name`'s checker accepts the learner's function, (False, "✗ why")
    when not, and (None, the neutral line) for a function not written yet."""
    checker = exercise(name).checker
    if not callable(fn):
        return False, f"✗ pass the function itself, check({name!r}, {name}), not what it returns"
    if not_written(fn):
        return None, f"{name}: your turn — not written yet"
    try:
        passed = checker(fn)
    except Wrong as wrong:
        return False, f"✗ {wrong}"
    except Exception as e:  # something the checker did not foresee: still one line
        return False, f"✗ could not check what your function returned ({type(e).__name__}: {e})"[:200]
    return True, f"✓ {name}: {passed}"


def check(name: str, fn) -> None:
    """Run exercise `name`'s checker on the learner's function and print the verdict: ✓ and what was
    checked, ✗ and what is wrong, or one neutral line when the function is not written yet."""
    print(verdict(name, fn)[1])


def hint(name: str) -> None:
    """Print exercise `name`'s hint."""
    print(exercise(name).hint)


def solution(name: str) -> None:
    """Print a reference solution of exercise `name`: the imports it needs, then its source."""
    from workshop.lessons.inline import function_source  # read from its file, as a lesson cell is
    ex = exercise(name)
    source = function_source(ex.solution) + "\n"
    print(f"{ex.imports}\n\n\n{source}" if ex.imports else source, end="")
