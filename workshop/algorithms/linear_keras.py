"""Linear regression, keras level: keras.Sequential with one Dense(1), then compile + fit
(training/keras_fit.py) with the mean squared error.

Siblings: linear_numpy.py, linear_raw.py, linear_layers.py. Every TensorFlow level
saves its a and b into this Sequential.
"""

from workshop.tf_env import keras


def build(input_shape=(1,)) -> keras.Sequential:
    """x float32 (batch, 1) -> y_pred float32 (batch, 1) = x . a + b."""
    return keras.Sequential([keras.Input(shape=input_shape), keras.layers.Dense(1, name="dense_0")], name="linear")


def create(config, input_shape, classes, weights):
    model = build(input_shape)
    model.set_weights(weights)
    return model
