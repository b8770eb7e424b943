"""The door to TensorFlow: every module that needs it imports `tf` and `keras` from here.

Importing this module costs TensorFlow's import (seconds), so commands that do not
compute never import it. On the way in it quiets TensorFlow's C++ start-up chatter
and checks that Keras runs on the TensorFlow backend: GradientTape code cannot run
on JAX or PyTorch, and a learner with KERAS_BACKEND set elsewhere gets told how to fix it.
"""

import os

from workshop.errors import WorkshopError

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep warnings and errors, drop the info banner

_backend = os.environ.get("KERAS_BACKEND", "tensorflow")
if _backend != "tensorflow":
    raise WorkshopError(
        f"KERAS_BACKEND is set to {_backend!r}, but this workshop's GradientTape code needs TensorFlow: "
        "run `unset KERAS_BACKEND` (or set KERAS_BACKEND=tensorflow) and try again")

import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

if keras.backend.backend() != "tensorflow":  # e.g. set in ~/.keras/keras.json
    raise WorkshopError(
        f"Keras is configured for the {keras.backend.backend()!r} backend (see ~/.keras/keras.json); "
        "set \"backend\": \"tensorflow\" there or export KERAS_BACKEND=tensorflow")

_MIN_KERAS = (3, 14)
if tuple(int(p) for p in keras.__version__.split(".")[:2]) < _MIN_KERAS:
    raise WorkshopError(f"Keras {keras.__version__} is too old (need >= 3.14: earlier ones have safe_mode bypasses); "
                        "run `make setup` or `pip install -r requirements.txt`")

__all__ = ["tf", "keras"]
