"""Logistic regression (one sigmoid neuron), layers level: Flatten + Dense(1) in a
keras.Model subclass, trained by our own GradientTape loop (training/layers_loop.py).

Siblings: logistic_numpy.py, logistic_raw.py, logistic_keras.py (the same layers in a
Sequential). The Dense layer has no activation: it returns the logit, and
BinaryCrossentropy(from_logits=True) applies the sigmoid inside the loss.
"""

from workshop.tf_env import keras


class Logistic(keras.Model):
    """x float32 (batch, H, W, 1) -> logit float32 (batch, 1)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.flatten = keras.layers.Flatten()
        self.dense = keras.layers.Dense(1, name="dense_0")

    def features(self, x):
        return self.flatten(x)

    def call(self, x, training=False):
        return self.dense(self.features(x))


def create(config, input_shape, classes, weights):
    model = Logistic()
    model(keras.ops.zeros((1, *input_shape)))  # build the layers, then start from the shared weights
    model.set_weights(weights)
    return model
