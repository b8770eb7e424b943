"""The perceptron, raw level: the same rule as perceptron_numpy.py, on one tf.Variable
with tf ops; each update is `w.assign_add(learning_rate * error * [1, x])`.

The epoch is a `tf.function`: AutoGraph turns its Python `for i in tf.range(n)` into
a graph loop, so the example-by-example rule runs without a Python round trip per example.
Siblings: perceptron_numpy.py; training/perceptron_run.py runs either one.
"""

import numpy as np

from workshop.tf_env import tf


def step(z):
    """The threshold unit: 1.0 where z > 0, else 0.0."""
    return tf.cast(z > 0, tf.float32)


def with_bias_input(x):
    """(batch, ...) -> (batch, 1 + d): the flattened inputs after a column of ones."""
    x = tf.reshape(tf.cast(x, tf.float32), [tf.shape(x)[0], -1])
    return tf.concat([tf.ones([tf.shape(x)[0], 1]), x], axis=1)


class Perceptron(tf.Module):
    """x float32 (batch, d) or (batch, H, W, 1) -> y_pred float32 (batch,) in {0, 1}.

    w: tf.Variable float32 (1 + d,), w[0] the bias; started from Keras-order weights
    [kernel (d, 1), bias (1,)], the same numbers as the numpy level.
    """

    def __init__(self, weights, name="perceptron"):
        super().__init__(name=name)
        kernel, bias = weights
        self.w = tf.Variable(tf.concat([tf.reshape(bias, [-1]), tf.reshape(kernel, [-1])], axis=0), name="w")

    def get_weights(self):
        """[kernel (d, 1), bias (1,)] as NumPy arrays, Keras order: what `--save` writes."""
        w = self.w.numpy()
        return [w[1:, None].copy(), w[:1].copy()]

    def __call__(self, x):
        return step(tf.linalg.matvec(with_bias_input(x), self.w))

    def predict(self, x) -> np.ndarray:
        """y_pred float32 (batch,) in {0, 1}, as NumPy (the numpy level's `predict`)."""
        return self(tf.constant(x)).numpy()

    def train_epoch(self, x, y, learning_rate) -> int:
        """One pass over the examples in order, updating after each; returns how many were wrong.

        x: float32 (n, ...); y: float32 (n,) in {0, 1} (NumPy, as at the numpy level).
        """
        return int(self._epoch(tf.constant(x), tf.constant(y), tf.constant(learning_rate, tf.float32)))

    @tf.function(reduce_retracing=True)
    def _epoch(self, x, y, learning_rate):
        xs = with_bias_input(x)
        errors = tf.constant(0.0)
        for i in tf.range(tf.shape(xs)[0]):
            error = y[i] - step(tf.tensordot(xs[i], self.w, axes=1))  # read w *after* the last update
            self.w.assign_add(learning_rate * error * xs[i])
            errors += tf.abs(error)
        return errors


def create(config, input_shape, classes, weights):
    return Perceptron(weights)
