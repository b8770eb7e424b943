"""MLP, raw level: tf.Variables in a tf.Module, tf.matmul, tf.nn.bias_add and tf.nn.relu, nothing else.

Siblings: mlp_numpy.py (gradients by hand), mlp_layers.py, mlp_keras.py.
The training loop (training/raw_loop.py) takes gradients with tf.GradientTape.
`tf.nn.bias_add(z, b)` is `z + b` written the way Keras's Dense adds its bias: the bias's
gradient is then summed in the same order as Keras sums it, so a raw run ends with the very
same weights as a keras run (with `+ b` they drift apart by rounding, 1e-3 after 10 CNN epochs).
"""

from workshop.tf_env import tf


class MLP(tf.Module):
    """x float32 (batch, H, W, 1) -> logits (batch, classes).

    params: [W0, b0, W1, b1, ...] as tf.Variables, in Keras `get_weights()` order,
    started from the given NumPy arrays.
    """

    def __init__(self, weights, name="mlp"):
        super().__init__(name=name)
        self.params = [tf.Variable(w, name=f"dense_{i // 2}/{'kernel' if i % 2 == 0 else 'bias'}")
                       for i, w in enumerate(weights)]

    def features(self, x):
        """The last hidden layer (batch, h): what the projector shows."""
        h = tf.reshape(x, [tf.shape(x)[0], -1])
        for w, b in zip(self.params[0:-2:2], self.params[1:-2:2]):
            h = tf.nn.relu(tf.nn.bias_add(tf.matmul(h, w), b))  # relu(h . w + b)
        return h

    def __call__(self, x, training=False):
        return tf.nn.bias_add(tf.matmul(self.features(x), self.params[-2]), self.params[-1])


def create(config, input_shape, classes, weights):
    return MLP(weights)
