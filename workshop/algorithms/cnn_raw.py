"""CNN, raw level: tf.Variables in a tf.Module; tf.nn.conv2d, tf.nn.max_pool2d,
tf.nn.experimental.stateless_dropout, tf.reshape, tf.matmul and tf.nn.bias_add (`+ b` as Keras adds it: see
mlp_raw.py), nothing else.

Siblings: cnn_layers.py (the same network from Keras layers), cnn_keras.py (the same
layers in a keras.Sequential). There is no numpy level: a convolution's backward pass
by hand teaches less than it costs. The loop is training/raw_loop.py.
"""

from workshop.algorithms.shapes import cnn_padding
from workshop.tf_env import tf


class CNN(tf.Module):
    """x float32 (batch, H, W, C) -> logits (batch, classes).

    conv 3x3 (32, ReLU) -> max-pool 2x2 -> conv 3x3 (64, ReLU) -> max-pool 2x2
    -> flatten -> dropout (training only) -> dense (classes).

    params: [conv_0 kernel (3, 3, C, 32), bias (32,), conv_1 kernel (3, 3, 32, 64),
    bias (64,), dense kernel (flat, classes), bias (classes,)] as tf.Variables,
    in Keras `get_weights()` order, started from the given NumPy arrays.
    """

    def __init__(self, weights, padding="SAME", dropout=0.5, seed=0, name="cnn"):
        super().__init__(name=name)
        names = ["conv_0", "conv_0", "conv_1", "conv_1", "dense_0", "dense_0"]
        self.params = [tf.Variable(w, name=f"{n}/{'kernel' if i % 2 == 0 else 'bias'}")
                       for i, (n, w) in enumerate(zip(names, weights))]
        self.padding, self.dropout, self.seed = padding, float(dropout), seed
        # dropout's random state: masks drawn from (seed, training call number), so a run resumed
        # from a checkpoint (which saves this counter) draws the masks a run never stopped would
        self.dropout_calls = tf.Variable(0, dtype=tf.int64, trainable=False, name="dropout_calls")

    def features(self, x):
        """The flattened last feature map (batch, flat): what the dense layer sees."""
        h = x
        for w, b in zip(self.params[0:4:2], self.params[1:4:2]):
            h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(h, w, strides=1, padding=self.padding), b))
            h = tf.nn.max_pool2d(h, ksize=2, strides=2, padding="VALID")  # floor, as Keras's MaxPooling2D
        return tf.reshape(h, [tf.shape(h)[0], -1])  # row-major (H, W, C), the order Keras's Flatten uses

    def __call__(self, x, training=False):
        h = self.features(x)
        if training and self.dropout > 0:  # inverted dropout: survivors scaled by 1 / (1 - rate)
            seed = tf.stack([tf.constant(self.seed, tf.int64), self.dropout_calls.assign_add(1)])
            h = tf.nn.experimental.stateless_dropout(h, rate=self.dropout, seed=seed)
        return tf.nn.bias_add(tf.matmul(h, self.params[4]), self.params[5])


def create(config, input_shape, classes, weights):
    return CNN(weights, padding=cnn_padding(input_shape).upper(), dropout=config.dropout, seed=config.seed)
