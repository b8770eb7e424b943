"""The perceptron (Rosenblatt, 1958), numpy level: the first learning algorithm of the
talk, in a few lines.

    classify: y_pred = step(w . [1, x])           (the bias is w[0], its input always 1)
    learn:    for each example, one at a time:
                  error = y - y_pred               (0 when right, +1 or -1 when wrong)
                  w += learning_rate * error * [1, x]
              until an epoch makes no error (or the epoch cap is reached).

No gradient and no loss function: the rule only moves w when an example is wrong, toward
the inputs it should have said 1 to and away from those it should have said 0 to. If a
straight line (a hyperplane) separates the two classes it finds one in finitely many
steps; if none exists (xor) it never stops making errors.

Siblings: perceptron_raw.py (the same rule on a tf.Variable with tf ops);
training/perceptron_run.py runs either one.
"""

import numpy as np


def step(z: np.ndarray) -> np.ndarray:
    """The threshold unit: 1.0 where z > 0, else 0.0."""
    return (z > 0).astype(np.float32)


def with_bias_input(x: np.ndarray) -> np.ndarray:
    """(batch, ...) -> (batch, 1 + d): the flattened inputs after a column of ones."""
    x = x.reshape(len(x), -1).astype(np.float32)
    return np.concatenate([np.ones((len(x), 1), np.float32), x], axis=1)


class Perceptron:
    """x float32 (batch, d) or (batch, H, W, 1) -> y_pred float32 (batch,) in {0, 1}.

    w: float32 (1 + d,), w[0] the bias. Built from Keras-order weights
    [kernel (d, 1), bias (1,)], the same numbers every level starts from.
    """

    def __init__(self, weights: list[np.ndarray]):
        kernel, bias = weights
        self.w = np.concatenate([np.ravel(bias), np.ravel(kernel)]).astype(np.float32)

    def get_weights(self) -> list[np.ndarray]:
        """[kernel (d, 1), bias (1,)], Keras order: what `--save` writes."""
        return [self.w[1:, None].copy(), self.w[:1].copy()]

    def predict(self, x: np.ndarray) -> np.ndarray:
        return step(with_bias_input(x) @ self.w)

    def train_epoch(self, x: np.ndarray, y: np.ndarray, learning_rate: float) -> int:
        """One pass over the examples in order, updating after each; returns how many were wrong.

        x: float32 (n, ...); y: float32 (n,) in {0, 1}.
        """
        errors = 0
        for x_i, y_i in zip(with_bias_input(x), y):
            error = y_i - step(x_i @ self.w)
            self.w += learning_rate * error * x_i  # no change when error == 0
            errors += int(abs(error))
        return errors


def create(config, input_shape, classes, weights):
    return Perceptron(weights)
