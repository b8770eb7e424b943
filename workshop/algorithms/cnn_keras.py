"""CNN, keras level: keras.Sequential, then compile + fit (training/keras_fit.py),
in the spirit of Keras's "Simple MNIST convnet" example.

Siblings: cnn_raw.py (tf.nn ops in a tf.Module), cnn_layers.py (a keras.Model
subclass). This Sequential is also the form every level saves to `.keras`.
"""

from workshop.algorithms.shapes import CNN_FILTERS, cnn_padding
from workshop.tf_env import keras


def build(input_shape, classes=10, dropout=0.5, seed=None) -> keras.Sequential:
    """x float32 (batch, *input_shape) -> logits (batch, classes).

    'same' padding on small images (8x8 digits), 'valid' on 28x28 (see shapes.py);
    dropout is seeded, so a run can be repeated.
    """
    padding = cnn_padding(input_shape)
    layers = [keras.Input(shape=input_shape)]
    for i, filters in enumerate(CNN_FILTERS):
        layers += [keras.layers.Conv2D(filters, 3, activation="relu", padding=padding, name=f"conv_{i}"),
                   keras.layers.MaxPooling2D(2, name=f"pool_{i}")]
    layers += [keras.layers.Flatten(name="flatten"), keras.layers.Dropout(dropout, seed=seed, name="dropout"),
               keras.layers.Dense(classes, name="dense_0")]
    return keras.Sequential(layers, name="cnn")


def create(config, input_shape, classes, weights):
    model = build(input_shape, classes, config.dropout, config.seed)
    model.set_weights(weights)
    return model
