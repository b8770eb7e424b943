"""Logistic regression (one sigmoid neuron), keras level: keras.Sequential, then
compile + fit (training/keras_fit.py) with BinaryCrossentropy(from_logits=True).

Siblings: logistic_numpy.py, logistic_raw.py, logistic_layers.py. Every TensorFlow
level saves its weights into this Sequential.
"""

from workshop.tf_env import keras


def build(input_shape) -> keras.Sequential:
    """x float32 (batch, *input_shape) -> logit (batch, 1); sigmoid(logit) = P(positive class)."""
    return keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten(),
                             keras.layers.Dense(1, name="dense_0")], name="logistic")


def create(config, input_shape, classes, weights):
    model = build(input_shape)
    model.set_weights(weights)
    return model
