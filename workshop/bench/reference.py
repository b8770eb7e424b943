"""The reference: Keras's own MNIST convnet recipe, as its documentation writes it.

Conv2D(32, 3, relu) -> MaxPool(2) -> Conv2D(64, 3, relu) -> MaxPool(2) -> Flatten
-> Dropout(0.5) -> Dense(10, softmax); categorical cross-entropy on one-hot labels;
Adam; batch 128; plain `fit` on NumPy arrays, `validation_split=0.1`, 15 epochs; every
other setting left at its default. The changes: the validation split is the one every
contender uses (the same 10 %, stratified, instead of the array's last 10 %); 'same' padding
on images smaller than 16x16 (8x8 digits would shrink to nothing), exactly as the project's
own CNN does (algorithms/shapes.py).
"""

import numpy as np

from workshop.algorithms.shapes import cnn_padding
from workshop.tf_env import keras

BATCH_SIZE = 128


def build(input_shape, classes=10):
    padding = cnn_padding(input_shape)
    model = keras.Sequential([
        keras.Input(shape=input_shape),
        keras.layers.Conv2D(32, kernel_size=(3, 3), activation="relu", padding=padding),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu", padding=padding),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(classes, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def build_mlp(input_shape, hidden=(64,), classes=10):
    """The same recipe's style for the MLP: softmax output, one-hot labels, Adam, batch 128, plain fit."""
    model = keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten()]
                             + [keras.layers.Dense(h, activation="relu") for h in hidden]
                             + [keras.layers.Dense(classes, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def fit(model, data, epochs, callbacks=(), batch_size=BATCH_SIZE):
    """The recipe's `fit` on `data` (a Splits), as the example writes it: a pass over the
    validation split ends every epoch."""
    model.fit(data.x_train, one_hot(data.y_train, data.classes), batch_size=batch_size, epochs=epochs,
              validation_data=(data.x_val, one_hot(data.y_val, data.classes)), verbose=0, callbacks=list(callbacks))


def one_hot(y, classes=10):
    return keras.utils.to_categorical(y, classes).astype(np.float32)
