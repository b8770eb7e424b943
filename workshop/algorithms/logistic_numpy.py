"""Logistic regression (one sigmoid neuron), numpy level: the sigmoid 1 / (1 + e^-z)
and the gradient of its cross-entropy, (sigmoid(z) - y) / n, written by hand.

Siblings: logistic_raw.py (tf.Variables, GradientTape finds the gradients),
logistic_layers.py (one Keras Dense layer), logistic_keras.py (keras.Sequential).
"""

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The probability of the positive class, p = 1 / (1 + e^-z)."""
    with np.errstate(over="ignore"):  # e^-z overflows to inf for z << 0: 1 / inf = 0, the right limit
        return 1.0 / (1.0 + np.exp(-z))


class Logistic:
    """x float32 (batch, H, W, 1) or (batch, d) -> logit z float32 (batch, 1).

    params: [w (d, 1), b (1,)], Keras order. The model outputs the logit z = x . w + b;
    sigmoid(z) > 0.5 (that is, z > 0) says "positive class" (an 8, against a 1).
    """

    def __init__(self, weights: list[np.ndarray]):
        self.params = [w.astype(np.float32).copy() for w in weights]

    def forward(self, x: np.ndarray) -> np.ndarray:
        w, b = self.params
        return x.reshape(len(x), -1) @ w + b

    def features(self, x: np.ndarray) -> np.ndarray:
        """No hidden layer: the flattened input (batch, d)."""
        return x.reshape(len(x), -1)

    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """Mean sigmoid cross-entropy of y float32 (batch, 1) in {0, 1}, and [d loss / d w, d loss / d b].

        loss = -mean(y log p + (1 - y) log(1 - p)), p = sigmoid(z). Its derivative by z is
        simply (p - y) / n - the sigmoid's slope p (1 - p) cancels against the log's.
        """
        h = self.features(x)
        z = self.forward(x)
        # the same loss, rewritten so that neither e^z nor log(0) can overflow:
        # max(z, 0) - z y + log(1 + e^-|z|)
        loss = float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))
        delta = (sigmoid(z) - y) / len(y)  # d loss / d z, (batch, 1)
        return loss, [(h.T @ delta).astype(np.float32), delta.sum(axis=0).astype(np.float32)]


def create(config, input_shape, classes, weights):
    return Logistic(weights)
