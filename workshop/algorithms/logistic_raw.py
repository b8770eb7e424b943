"""Logistic regression (one sigmoid neuron), raw level: w and b as tf.Variables in a tf.Module.

Siblings: logistic_numpy.py (sigmoid and gradient by hand), logistic_layers.py,
logistic_keras.py. The model returns the logit z; the loss
(tf.nn.sigmoid_cross_entropy_with_logits, training/tasks.py) applies the sigmoid itself.
"""

from workshop.tf_env import tf


class Logistic(tf.Module):
    """x float32 (batch, H, W, 1) -> logit z float32 (batch, 1) = flatten(x) . w + b.

    params: [w (d, 1), b (1,)] as tf.Variables, Keras order.
    """

    def __init__(self, weights, name="logistic"):
        super().__init__(name=name)
        self.params = [tf.Variable(weights[0], name="dense_0/kernel"), tf.Variable(weights[1], name="dense_0/bias")]

    def features(self, x):
        """No hidden layer: the flattened input (batch, d)."""
        return tf.reshape(x, [tf.shape(x)[0], -1])

    def __call__(self, x, training=False):
        w, b = self.params
        return tf.nn.bias_add(tf.matmul(self.features(x), w), b)  # x . w + b


def create(config, input_shape, classes, weights):
    return Logistic(weights)
