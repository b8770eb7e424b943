"""CNN, layers level: Keras layers composed in a keras.Model subclass; trained by our
own GradientTape loop (training/layers_loop.py) with a Keras optimizer.

Siblings: cnn_raw.py (the same network from tf.nn ops), cnn_keras.py (the same
layers in a keras.Sequential, trained with `fit`).
"""

from workshop.algorithms.shapes import CNN_FILTERS, cnn_padding
from workshop.tf_env import keras


class CNN(keras.Model):
    """x float32 (batch, H, W, C) -> logits (batch, classes).

    Conv2D(32, 3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3, relu) -> MaxPooling2D(2)
    -> Flatten -> Dropout(dropout) -> Dense(classes).
    """

    def __init__(self, classes=10, padding="same", dropout=0.5, seed=None, **kwargs):
        super().__init__(**kwargs)
        # set in the order they run: a model lists its layers (and its summary) in the order they were set
        self.feature_layers = []
        for i, n in enumerate(CNN_FILTERS):
            self.feature_layers.append(keras.layers.Conv2D(n, 3, activation="relu", padding=padding, name=f"conv_{i}"))
            self.feature_layers.append(keras.layers.MaxPooling2D(2, name=f"pool_{i}"))
        self.feature_layers.append(keras.layers.Flatten(name="flatten"))
        self.drop = keras.layers.Dropout(dropout, seed=seed, name="dropout")  # seeded: a run can be repeated
        self.out = keras.layers.Dense(classes, name="dense_0")

    def features(self, x):
        """The flattened last feature map (batch, flat): what the dense layer sees."""
        for layer in self.feature_layers:
            x = layer(x)
        return x

    def call(self, x, training=False):
        return self.out(self.drop(self.features(x), training=training))


def create(config, input_shape, classes, weights):
    model = CNN(classes, cnn_padding(input_shape), config.dropout, config.seed)
    model(keras.ops.zeros((1, *input_shape)))  # build the layers, then start from the shared weights
    model.set_weights(weights)
    return model
