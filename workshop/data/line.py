"""`line`: the 30 points of linear regression "the deep learning way".

y = a*x + b + noise, with a and b drawn from the seed so each seed is a new puzzle.
The learner's job is to recover a and b by gradient descent; the answer is in `extra`.
"""

import numpy as np

from workshop.data.splits import Splits

N_POINTS = 30
NOISE = 0.1


def make_line(seed: int = 0, n: int = N_POINTS) -> Splits:
    """x float32 (n, 1) in [-1, 1], y float32 (n, 1); extra = {'a': true a, 'b': true b}.

    Validation and test are 10 fresh points each from the same line and noise.
    """
    rng = np.random.default_rng(seed)
    a = float(np.round(rng.uniform(0.5, 3.0), 2))
    b = float(np.round(rng.uniform(-2.0, 2.0), 2))

    def points(k):
        x = rng.uniform(-1.0, 1.0, size=(k, 1)).astype(np.float32)
        y = (a * x + b + rng.normal(0.0, NOISE, size=(k, 1))).astype(np.float32)
        return x, y

    x_train, y_train = points(n)
    x_val, y_val = points(10)
    x_test, y_test = points(10)
    return Splits("line", x_train, y_train, x_val, y_val, x_test, y_test, classes=0,
                  version=f"line/seed-{seed}", extra={"a": a, "b": b})
