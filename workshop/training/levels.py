"""The four levels of the API, one row each: the loop that trains a model of that level,
the face its weights are seen through (views.py) and how it is saved. `train()` looks the
level up here once; TensorBoard, saving and reporting never ask which level they are in.

| level | loop | who computes gradients | who updates weights | saved as |
|---|---|---|---|---|
| numpy | numpy_loop.py | the model's own `gradients()` | the loop, by hand | .npz |
| raw | raw_loop.py | tf.GradientTape | raw_optimizers.py, `assign_sub` by hand | .keras |
| layers | layers_loop.py | tf.GradientTape | a Keras optimizer | .keras |
| keras | keras_fit.py | Keras `fit` | Keras `fit` | .keras |

Every loop is `fit(model, data, config, callbacks=(), options=RunOptions()) -> history`
and calls Keras callbacks with the same `logs` keys (loss, accuracy, val_loss,
val_accuracy), so one set of TensorBoard callbacks serves all levels.
`MODELS` names the model file of every algorithm at every level it is built at.
"""

from dataclasses import dataclass
from typing import Callable

from workshop import saving
from workshop.algorithms import (cnn_keras, cnn_layers, cnn_raw, linear_keras, linear_layers, linear_numpy,
                                 linear_raw, logistic_keras, logistic_layers, logistic_numpy, logistic_raw, mlp_keras,
                                 mlp_layers, mlp_numpy, mlp_raw, perceptron_numpy, perceptron_raw)
from workshop.training import keras_fit, layers_loop, numpy_loop, raw_loop
from workshop.training.views import KerasView, NumpyView, RawView

# (algorithm, level) -> the model file; each has create(config, input_shape, classes, weights) -> model
MODELS = {
    ("perceptron", "numpy"): perceptron_numpy, ("perceptron", "raw"): perceptron_raw,
    ("linear", "numpy"): linear_numpy, ("linear", "raw"): linear_raw,
    ("linear", "layers"): linear_layers, ("linear", "keras"): linear_keras,
    ("logistic", "numpy"): logistic_numpy, ("logistic", "raw"): logistic_raw,
    ("logistic", "layers"): logistic_layers, ("logistic", "keras"): logistic_keras,
    ("mlp", "numpy"): mlp_numpy, ("mlp", "raw"): mlp_raw, ("mlp", "layers"): mlp_layers, ("mlp", "keras"): mlp_keras,
    ("cnn", "raw"): cnn_raw, ("cnn", "layers"): cnn_layers, ("cnn", "keras"): cnn_keras,
}


def save_npz(config, view, data, path, meta):
    """The numpy level keeps its arrays: [kernel, bias, ...] and the metadata in one .npz."""
    return saving.save_npz(view.get_weights(), path, meta)


def save_sequential(config, view, data, path, meta):
    """Every TensorFlow level saves the same form: the keras level's Sequential of the algorithm,
    holding the learned weights (float32 at every precision: it is built outside the policy)."""
    model = MODELS[config.model, "keras"].create(config, data.input_shape, data.classes, view.get_weights())
    return saving.save_keras(model, path, meta)


@dataclass(frozen=True)
class Level:
    name: str
    fit: Callable  # fit(model, data, config, callbacks, options) -> history {key: [value per epoch]}
    view: type  # view(model): get_weights, set_weights, predict, features, ... (views.py)
    save: Callable  # save(config, view, data, path, meta) -> path
    suffix: str  # what its saved file is called: .npz or .keras
    loads_as: str  # the level whose model a saved file loads back as (saving.load)
    compiles: bool  # runs its step as a TensorFlow graph (so the Graphs dashboard has one to show)


LEVELS = {
    "numpy": Level("numpy", numpy_loop.fit, NumpyView, save_npz, ".npz", loads_as="numpy", compiles=False),
    "raw": Level("raw", raw_loop.fit, RawView, save_sequential, ".keras", loads_as="keras", compiles=True),
    "layers": Level("layers", layers_loop.fit, KerasView, save_sequential, ".keras", loads_as="keras", compiles=True),
    "keras": Level("keras", keras_fit.fit, KerasView, save_sequential, ".keras", loads_as="keras", compiles=True),
}


def saved_view(model, meta):
    """The view of a model loaded by saving.load, whose metadata `meta` names the level it was trained at."""
    return LEVELS[LEVELS[meta["api"]].loads_as].view(model)
