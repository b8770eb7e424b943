"""Linear regression, layers level: one keras.layers.Dense(1) in a keras.Model subclass,
trained by our own GradientTape loop (training/layers_loop.py) with a Keras optimizer.

Siblings: linear_numpy.py, linear_raw.py, linear_keras.py (the same layer in a Sequential).
A Dense layer with one input and one unit *is* y = a*x + b: kernel a, bias b.
"""

from workshop.tf_env import keras


class Linear(keras.Model):
    """x float32 (batch, 1) -> y_pred float32 (batch, 1)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(1, name="dense_0")

    def features(self, x):
        return x

    def call(self, x, training=False):
        return self.dense(x)


def create(config, input_shape, classes, weights):
    model = Linear()
    model(keras.ops.zeros((1, *input_shape)))  # build the layer, then start from the shared weights
    model.set_weights(weights)
    return model
