"""Linear regression, raw level: a and b as tf.Variables in a tf.Module.

Siblings: linear_numpy.py (gradients by hand), linear_layers.py, linear_keras.py.
The training loop (training/raw_loop.py) finds d loss / d a and d loss / d b with
tf.GradientTape - the two lines the numpy level writes out.
"""

from workshop.tf_env import tf


class Linear(tf.Module):
    """x float32 (batch, 1) -> y_pred float32 (batch, 1) = x . a + b.

    params: [a (1, 1), b (1,)] as tf.Variables, Keras order (a Dense layer's kernel, bias).
    """

    def __init__(self, weights, name="linear"):
        super().__init__(name=name)
        self.params = [tf.Variable(weights[0], name="dense_0/kernel"), tf.Variable(weights[1], name="dense_0/bias")]

    def features(self, x):
        """No hidden layer: the input itself (batch, 1)."""
        return x

    def __call__(self, x, training=False):
        a, b = self.params
        return tf.nn.bias_add(tf.matmul(x, a), b)  # x . a + b


def create(config, input_shape, classes, weights):
    return Linear(weights)
