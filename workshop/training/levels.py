"""The four levels of the API, one row each: the loop that trains a model of that level,
the face its weights are seen through (views.py) and how it is saved. `train()` looks the
level up here once; TensorBoard, saving and reporting never ask which level they are in.

| level | loop | who computes gradients | who updates weights | saved as |
|---|---|---|---|---|
| numpy | numpy_loop.py | the model's own `gradients()` | the loop, by hand | .npz |
| raw | raw_loop.py | tf.GradientTape | raw_optimizers.py, `assign_sub` by hand | .keras |
| layers | layers_loop.py | tf.GradientTape | a Keras optimizer | .keras |
| keras | keras_fit.py | Keras `fit` | Keras `fit` | .keras |

Every loop is `fit(model, data, config, writers, callbacks=(), checkpoint=None) -> history`
(keras_fit's also takes the RunOptions: compile's speed settings), writes its curves into
`writers` and calls Keras callbacks with the same `logs` keys (loss, accuracy, val_loss,
val_accuracy), so one set of dashboards serves all levels. `MODELS` names every algorithm
at every level it is built at; `model_file` imports the one a run needs.
"""

import importlib
import time
from dataclasses import dataclass
from typing import Callable

from workshop import saving
from workshop.algorithms.shapes import kernel_shapes
from workshop.algorithms.weights import initial_weights
from workshop.training import speed
from workshop.training.views import KerasView, NumpyView, RawView

# (algorithm, level) -> its model file, workshop/algorithms/<algorithm>_<level>.py; each has
# create(config, input_shape, classes, weights) -> model. Imported when asked for (`model_file`).
MODELS = {(algorithm, level) for algorithm, levels in {
    "perceptron": ("numpy", "raw"), "linear": ("numpy", "raw", "layers", "keras"),
    "logistic": ("numpy", "raw", "layers", "keras"), "mlp": ("numpy", "raw", "layers", "keras"),
    "cnn": ("raw", "layers", "keras")}.items() for level in levels}


def model_file(algorithm: str, level: str):
    """The module workshop/algorithms/<algorithm>_<level>.py."""
    if (algorithm, level) not in MODELS:
        raise KeyError((algorithm, level))
    return importlib.import_module(f"workshop.algorithms.{algorithm}_{level}")


def build_model(config, data, weights=None, options=None):
    """The model of config.model at level config.api, started from `weights` (default: drawn
    from config.seed), computing in options.precision (default float32)."""
    if weights is None:
        weights = initial_weights(kernel_shapes(config.model, data.input_shape, data.classes, config.hidden),
                                  config.seed)
    with speed.precision(options.precision if options else "float32"):
        return model_file(config.model, config.api).create(config, data.input_shape, data.classes, weights)


def metadata(config, data) -> dict:
    """What a saved model carries about itself: what was trained, on which data, by which level."""
    return {"model": config.model, "api": config.api, "dataset": config.dataset, "input_shape": list(data.input_shape),
            "classes": data.classes, "class_names": list(data.class_names), "hidden": list(config.hidden),
            "task": config.task, "data_version": data.version, "seed": config.seed,
            "saved": time.strftime("%Y-%m-%dT%H:%M:%S")}


def save_npz(config, view, data, path, meta):
    """The numpy level keeps its arrays: [kernel, bias, ...] and the metadata in one .npz."""
    return saving.save_npz(view.get_weights(), path, meta)


def save_sequential(config, view, data, path, meta):
    """Every TensorFlow level saves the same form: the keras level's Sequential of the algorithm,
    holding the learned weights (float32 at every precision: it is built outside the policy)."""
    model = model_file(config.model, "keras").create(config, data.input_shape, data.classes, view.get_weights())
    return saving.save_keras(model, path, meta)


@dataclass(frozen=True)
class Level:
    name: str
    loop: str  # the module of its loop, workshop/training/<loop>.py, imported when a run asks for `fit`
    view: type  # view(model): get_weights, set_weights, predict, features, ... (views.py)
    save: Callable  # save(config, view, data, path, meta) -> path
    suffix: str  # what its saved file is called: .npz or .keras
    loads_as: str  # the level whose model a saved file loads back as (saving.load)

    @property
    def fit(self) -> Callable:
        """fit(model, data, config, writers, callbacks, checkpoint) -> history {key: [value per epoch]}."""
        return importlib.import_module(f"workshop.training.{self.loop}").fit


LEVELS = {
    "numpy": Level("numpy", "numpy_loop", NumpyView, save_npz, ".npz", loads_as="numpy"),
    "raw": Level("raw", "raw_loop", RawView, save_sequential, ".keras", loads_as="keras"),
    "layers": Level("layers", "layers_loop", KerasView, save_sequential, ".keras", loads_as="keras"),
    "keras": Level("keras", "keras_fit", KerasView, save_sequential, ".keras", loads_as="keras"),
}


def saved_view(model, meta):
    """The view of a model loaded by saving.load, whose metadata `meta` names the level it was trained at."""
    return LEVELS[LEVELS[meta["api"]].loads_as].view(model)
