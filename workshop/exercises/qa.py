"""Exercises of the Q&A lesson: the largest learning rate that still converges, and telling
a diverged run from a stalled one from one that learns. Truth: numpy.linalg's eigenvalues
of the Hessian, and loss curves built to be unmistakably one kind."""

import numpy as np

from workshop.exercises.core import NONE, Exercise, Wrong, call, compare, number


def stable_learning_rate(x):
    n = len(x)
    hessian = (2 / n) * np.array([[np.sum(x * x), np.sum(x)], [np.sum(x), n]])
    return 2 / np.linalg.eigvalsh(hessian).max()


def check_stable_learning_rate(fn) -> str:
    rng = np.random.default_rng()
    cases = [rng.normal(size=int(rng.integers(10, 50))) * 2 + rng.choice([-1, 1]),  # off centre: Σx matters
             rng.normal(size=int(rng.integers(10, 50))) * 3 + 5,  # far from 0
             rng.normal(size=1) * 2]  # one point
    for x in cases:
        n, sx, sxx = len(x), np.sum(x), np.sum(x * x)
        hessian = (2 / n) * np.array([[sxx, sx], [sx, n]])
        low, high = np.linalg.eigvalsh(hessian)
        got = number(call(fn, x), "the learning rate")
        compare(got, 2 / high, "the learning rate", rtol=1e-6, mistakes=[
            ("you returned the largest eigenvalue itself: the learning rate limit is 2 / λmax", high),
            ("gradient descent converges up to 2 / λmax, not 1 / λmax", 1 / high),
            ("you used the smallest eigenvalue: the largest one limits the step (along it the loss "
             "is steepest, and it diverges first)", 2 / low if low > 1e-12 else None),
            ("you used the diagonal entry (2/n) Σx² alone: the off-diagonal Σx matters, take the eigenvalues "
             "of the whole 2x2 matrix (np.linalg.eigvalsh)", n / sxx),
            ("the trace is the sum of both eigenvalues: use the largest one alone (np.linalg.eigvalsh)",
             2 / np.trace(hessian)),
            ("your Hessian lacks the factor 2/n in front: H = (2/n) [[Σx², Σx], [Σx, n]]",
             2 / np.linalg.eigvalsh(hessian * n / 2).max() if n != 2 else None),
            ("the factor in front is 2/n: the 2 comes from differentiating the square",
             2 / np.linalg.eigvalsh(hessian / 2).max()),
        ])
    return "right on 3 data sets: off centre, far from 0, and a single point"


def diagnose(losses):
    losses = np.asarray(losses, dtype=float)
    first, last = losses[0], losses[-1]
    if not np.all(np.isfinite(losses)) or last > 2 * first:
        return "diverged"
    if abs(last - first) < 0.05 * first:  # moved by less than 5 %
        return "stalled"
    return "learning"


ANSWERS = ("diverged", "stalled", "learning")


def _curves(rng):
    """(kind, losses, what a wrong answer is told): loss curves that are unmistakably one kind."""
    steps = int(rng.integers(12, 30))
    t = np.arange(steps)
    start = float(rng.uniform(1.0, 3.0))
    noise = rng.normal(size=steps)
    falling = start * (0.05 + 0.95 * np.exp(-t / 4))
    noisy = falling * (1 + 0.15 * noise)
    noisy[0], noisy[1] = start, start * 1.12  # up on the second step, then down overall
    exploding = list(start * 1.6 ** t[:10])
    return [
        ("learning", falling, f"the loss falls from {start:.3g} to {falling[-1]:.3g}: that is 'learning'"),
        ("stalled", start * (1 + 0.002 * noise), f"the loss barely moves around {start:.3g}: that is 'stalled' "
                                                 "(judge the change relative to where it started)"),
        ("diverged", np.array(exploding), f"the loss grows from {start:.3g} to {exploding[-1]:.3g}: "
                                          "that is 'diverged'"),
        ("diverged", np.append(falling[:5], [np.nan] * 3), "a nan loss means 'diverged': check np.isfinite "
                                                           "first (nan compares False with everything)"),
        ("learning", noisy, f"the loss goes up now and then but falls from {start:.3g} to {noisy[-1]:.3g}: "
                            "'learning'; compare where it ends with where it starts, not each step"),
        ("learning", falling * 0.01, f"the loss falls from {0.01 * start:.3g} to {0.01 * falling[-1]:.3g}, "
                                     f"{start / falling[-1]:.0f} times lower: 'learning'; judge the change "
                                     "relative to the start, not by an absolute amount"),
        ("diverged", np.append(exploding, [np.inf]), "the last loss is inf: 'diverged' (check np.isfinite first)"),
        ("stalled", 500 * start * (1 + 0.001 * noise), f"the loss barely moves around {500 * start:.4g}: "
                                                       "'stalled'; judge the change relative to where it started"),
    ]


def check_diagnose(fn) -> str:
    rng = np.random.default_rng()
    curves = _curves(rng)
    for kind, losses, why in curves:
        got = call(fn, [float(v) for v in losses])
        if got is None:
            raise Wrong(NONE)
        if not isinstance(got, str) or got not in ANSWERS:
            raise Wrong(f"answer one of 'diverged', 'stalled', 'learning'; got {got!r}"[:120])
        if got != kind:
            raise Wrong(f"you answered {got!r}: {why}")
    return f"right on {len(curves)} loss curves: learning (smooth, noisy, tiny), stalled, diverged (growing, nan, inf)"


EXERCISES = {
    "stable_learning_rate": Exercise(
        "qa", "the largest stable learning rate of batch gradient descent on mean((a*x + b - y)^2)",
        stable_learning_rate, "The Hessian of the loss is (2/n) [[Σx², Σx], [Σx, n]]; gradient descent "
        "converges when learning_rate < 2 / its largest eigenvalue (np.linalg.eigvalsh).",
        check_stable_learning_rate),
    "diagnose": Exercise(
        "qa", "'diverged', 'stalled' or 'learning' from a list of losses",
        diagnose, "First: any nan or inf, or a last loss far above the first, is 'diverged'. Then compare the "
        "last loss with the first, relative to the first: a change of a few percent is 'stalled'.",
        check_diagnose),
}
