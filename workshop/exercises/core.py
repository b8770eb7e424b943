"""What every exercise shares: the Exercise record, and the comparisons that turn a wrong
answer into a message a learner can act on ("returns None", "shape (8, 1) expected, got (8,)",
"transposed", "the wrong sign", "64 times too large").

A checker calls the learner's function through `call` (copies of the inputs, a raise becomes
one line), compares with `compare` / `number` / `values`, and raises `Wrong(message)` at the
first thing that is wrong; it returns a short description of what it checked when all is right.
Known typical mistakes are passed as (message, what that mistake would have returned): when
the answer equals one of them, its message is the one shown.
"""

import copy
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

NONE = "returns None: write your code where it says `your code here`, and `return` the result"


class Wrong(Exception):
    """The learner's answer is wrong; str(self) is the one- or two-line message to print."""


@dataclass(frozen=True)
class Exercise:
    """One "your turn" exercise.

    lesson: the lesson whose notebook asks for it (e.g. "introduction").
    task: one line, what to write.
    solution: the reference solution, written as a learner would write it (solution() prints it).
    hint: what to think of first.
    checker: checker(fn) raises Wrong with a targeted message, or returns what it checked.
    imports: the lines a pasted solution needs above it.
    """

    lesson: str
    task: str
    solution: Callable
    hint: str
    checker: Callable[[Callable], str]
    imports: str = "import numpy as np"


def call(fn, *args, advice=(), fresh=True):
    """fn(*args) on copies of the arguments (a learner's in-place edit cannot reach the truth),
    with NumPy's warnings silenced: an overflow is diagnosed by the checker, not printed.

    A raise becomes Wrong: one line naming the exception, plus the tip of the first
    (substring of the exception's text, tip) pair in `advice` that matches.
    """
    if fresh:
        args = [copy.deepcopy(a) if isinstance(a, (np.ndarray, list, tuple)) or _is_pandas(a) else a
                for a in args]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args)
        except Exception as e:  # the learner's bug, reported in one line, never a traceback
            text = str(e).strip()
            first = text.splitlines()[0] if text else ""
            first = first if len(first) <= 160 else first[:157] + "..."
            message = f"your function raised {type(e).__name__}" + (f": {first}" if first else "")
            tips = [tip for needle, tip in advice if needle in text or needle == type(e).__name__]
            raise Wrong(message + (f"\n  {tips[0]}" if tips else "")) from None


def _is_pandas(a) -> bool:
    return type(a).__module__.startswith("pandas")


def close(got, want, rtol=1e-4) -> bool:
    """Same shape and equal within rtol of the largest |want| (nan equals nan); False for non-numbers."""
    try:
        got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    except (TypeError, ValueError):
        return False
    if got.shape != want.shape:
        return False
    finite = want[np.isfinite(want)]
    scale = float(np.abs(finite).max()) if finite.size else 1.0
    return bool(np.allclose(got, want, rtol=rtol, atol=rtol * max(scale, 1e-12), equal_nan=True))


def array(got, name="the result") -> np.ndarray:
    """got as a float array, or Wrong saying what came back instead."""
    if got is None:
        raise Wrong(NONE)
    if hasattr(got, "numpy") and not isinstance(got, np.ndarray):  # a tf.Tensor
        got = got.numpy()
    try:
        return np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Wrong(f"{name} should be numbers, got {_kind(got)}") from None


def number(got, name="the result") -> float:
    """got as one float (a Python or NumPy number, a size-1 array or tensor), or Wrong."""
    a = array(got, name)
    if a.size != 1:
        raise Wrong(f"{name} should be one number, got an array of shape {a.shape}")
    return float(a.reshape(()))


def values(got, names) -> list:
    """got as a sequence of len(names) values (e.g. (dw, db)), or Wrong naming what came instead."""
    want = f"{len(names)} values ({', '.join(names)})"
    if got is None:
        raise Wrong(NONE)
    if isinstance(got, (np.ndarray, str)) or not isinstance(got, (tuple, list)):
        raise Wrong(f"return {want}, got {_kind(got)}")
    if len(got) != len(names):
        raise Wrong(f"return {want}, got {len(got)} values")
    for value, name in zip(got, names):
        if value is None:
            raise Wrong(f"{name} is None: compute it too")
    return list(got)


def order(gots, wants, names) -> None:
    """Wrong when one returned value is another one's answer: the order is mixed up."""
    for i, got in enumerate(gots):
        if got is None or close(got, wants[i]):
            continue
        for j, want in enumerate(wants):
            if j != i and close(got, want):
                raise Wrong(f"you returned {names[j]} where {names[i]} belongs: "
                            f"the order is ({', '.join(names)})")


MATCH = 1e-6  # a mistake's value is computed in float64 as the learner would: it must match closely


def recognise(got, want, mistakes, rtol=1e-4) -> None:
    """Unless got equals want (within rtol), raise Wrong(message) for the first (message, value)
    in `mistakes` that got equals (within MATCH).

    got, want and the values may be lists, e.g. (dw, db): all of it must match, so a coincidence
    in one part cannot name the wrong mistake. A value of None is skipped.
    """
    def equal(a, b, tolerance):
        if isinstance(b, list):
            return len(a) == len(b) and all(x is not None and close(x, y, tolerance) for x, y in zip(a, b))
        return close(a, b, tolerance)

    if equal(got, want, rtol):
        return
    for message, wrong in mistakes:
        if wrong is not None and equal(got, wrong, MATCH):
            raise Wrong(message)


def compare(got, want, name="the result", *, mistakes=(), scales=(), sign="", overflow="", rtol=1e-4):
    """Raise Wrong with the most telling message unless array `got` equals `want` within rtol.

    The checks, most specific first: None or not numbers; a known mistake (message, the array
    that mistake gives); the shape (transposed, (n,) for (n, 1)); nan or inf where the truth is
    finite (`overflow` names the cause); the right values times -1 (`sign` says why) or times a
    factor (`scales`: (factor, why) pairs, e.g. (n, "use the mean, not the sum")); else the
    largest difference.
    """
    want = np.asarray(want, dtype=float)
    got = array(got, name)
    if close(got, want, rtol):
        return
    recognise(got, want, mistakes, rtol)
    if got.shape != want.shape:
        raise Wrong(shape_message(got.shape, want.shape, name))
    if not np.isfinite(got).all() and np.isfinite(want).all():
        raise Wrong(overflow or f"{name} contains nan or inf, where the right answer is finite")
    _scaled(got, want, name, scales, sign, rtol)
    raise Wrong(_difference(got, want, name))


def shape_message(got, want, name="the result") -> str:
    """'shape (8, 1) expected, got (8,)', saying so when it is the transpose."""
    message = f"{name}: shape {tuple(want)} expected, got {tuple(got)}"
    if not got:
        message += " (one number where an array belongs)"
    elif len(want) >= 2 and tuple(got) == tuple(want)[::-1]:
        message += " (transposed)"
    elif tuple(s for s in got if s != 1) == tuple(s for s in want if s != 1):
        message += (" (an axis of size 1 is missing: keepdims=True, or [:, None])" if len(got) < len(want)
                    else " (one axis too many: drop it with .ravel() or [:, 0])")
    return message


def _scaled(got, want, name, scales, sign, rtol):
    """Wrong when got is want times a constant factor: the wrong sign, or a missing scale."""
    if not np.abs(got).max() > 0:
        raise Wrong(f"{name} is all zeros")
    norm = float(np.sum(want * want))
    if not norm:
        return
    k = float(np.sum(got * want)) / norm
    if not close(got, k * want, rtol * 10):
        return
    if np.isclose(k, -1, rtol=1e-3):
        raise Wrong(f"{name} has the right shape but the wrong sign" + (f": {sign}" if sign else ""))
    why = [w for factor, w in scales if np.isclose(k, factor, rtol=1e-3)]
    size = f"{abs(k):.3g} times too large" if abs(k) > 1 else f"{1 / abs(k):.3g} times too small"
    flipped = "has the wrong sign and is " if k < 0 else "is "
    raise Wrong(f"{name} {flipped}{size}" + (f": {why[0]}" if why else ""))


def _difference(got, want, name) -> str:
    if want.size <= 6:
        return f"{name}: expected {_short(want)}, got {_short(got)}"
    i = np.unravel_index(np.argmax(np.abs(got - want)), want.shape)
    where = f"[{', '.join(str(int(j)) for j in i)}]"
    return f"{name}: at {where} expected {want[i]:.4g}, got {got[i]:.4g} (the largest of {want.size} differences)"


def _short(a) -> str:
    return np.array2string(np.asarray(a, dtype=float), precision=4, separator=", ", suppress_small=True)


def _kind(x) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape}"
    if isinstance(x, (tuple, list)):
        return f"a {type(x).__name__} of {len(x)}"
    return f"{type(x).__name__} {x!r}"[:80]
