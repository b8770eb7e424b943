"""MLP, keras level: keras.Sequential, then compile + fit (training/keras_fit.py).

Siblings: mlp_numpy.py, mlp_raw.py, mlp_layers.py. This Sequential is also the form
every TensorFlow level saves to `.keras`, so all levels can be evaluated alike.
"""

from workshop.tf_env import keras


def build(input_shape, hidden=(64,), classes=10) -> keras.Sequential:
    """x float32 (batch, *input_shape) -> logits (batch, classes)."""
    return keras.Sequential(
        [keras.Input(shape=input_shape), keras.layers.Flatten()]
        + [keras.layers.Dense(h, activation="relu", name=f"dense_{i}") for i, h in enumerate(hidden)]
        + [keras.layers.Dense(classes, name=f"dense_{len(hidden)}")],
        name="mlp",
    )


def create(config, input_shape, classes, weights):
    model = build(input_shape, config.hidden, classes)
    model.set_weights(weights)
    return model
