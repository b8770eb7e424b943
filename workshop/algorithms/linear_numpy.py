"""Linear regression, numpy level: y_pred = x . a + b, and the gradients of the mean
squared error written by hand.

Siblings: linear_raw.py (the same two numbers as tf.Variables, GradientTape finds the
gradients), linear_layers.py (one Keras Dense layer), linear_keras.py (keras.Sequential).
"""

import numpy as np


class Linear:
    """x float32 (batch, 1) -> y_pred float32 (batch, 1).

    params: [a (1, 1), b (1,)] - a Dense layer's kernel and bias, Keras order.
    """

    def __init__(self, weights: list[np.ndarray]):
        self.params = [w.astype(np.float32).copy() for w in weights]

    def forward(self, x: np.ndarray) -> np.ndarray:
        a, b = self.params
        return x @ a + b

    def features(self, x: np.ndarray) -> np.ndarray:
        """No hidden layer: the features are the input itself (batch, 1)."""
        return x

    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """Mean squared error of y (batch, 1), and [d loss / d a, d loss / d b].

        loss = mean((y_pred - y)^2), so d loss / d y_pred = 2 (y_pred - y) / n;
        y_pred = x a + b passes it on as x^T . delta to a and as sum(delta) to b.
        """
        y_pred = self.forward(x)
        error = y_pred - y
        with np.errstate(over="ignore"):  # a blown-up loss becomes inf, and the loop stops with a clear message
            loss = float(np.mean(error ** 2))
        delta = 2.0 * error / error.size
        return loss, [(x.T @ delta).astype(np.float32), delta.sum(axis=0).astype(np.float32)]


def create(config, input_shape, classes, weights):
    return Linear(weights)
