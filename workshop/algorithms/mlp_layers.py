"""MLP, layers level: Keras layers composed in a keras.Model subclass; trained by our
own GradientTape loop (training/layers_loop.py) with a Keras optimizer.

Siblings: mlp_numpy.py, mlp_raw.py, mlp_keras.py (the same layers in a Sequential).
"""

from workshop.tf_env import keras


class MLP(keras.Model):
    """x float32 (batch, H, W, 1) -> logits (batch, classes)."""

    def __init__(self, hidden=(64,), classes=10, **kwargs):
        super().__init__(**kwargs)
        self.flatten = keras.layers.Flatten()
        self.hidden = [keras.layers.Dense(h, activation="relu", name=f"dense_{i}") for i, h in enumerate(hidden)]
        self.out = keras.layers.Dense(classes, name=f"dense_{len(hidden)}")

    def features(self, x):
        h = self.flatten(x)
        for layer in self.hidden:
            h = layer(h)
        return h

    def call(self, x, training=False):
        return self.out(self.features(x))


def create(config, input_shape, classes, weights):
    model = MLP(config.hidden, classes)
    model(keras.ops.zeros((1, *input_shape)))  # build the layers, then start from the shared weights
    model.set_weights(weights)
    return model
