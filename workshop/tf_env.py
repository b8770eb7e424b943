"""The door to TensorFlow: every module that needs it imports `tf` and `keras` from here.

Importing this module costs TensorFlow's import (seconds), so commands that do not
compute never import it. On the way in it quiets TensorFlow's C++ start-up chatter
and checks that Keras runs on the TensorFlow backend: GradientTape code cannot run
on JAX or PyTorch, and a learner with KERAS_BACKEND set elsewhere gets told how to fix it.
"""

import logging
import os
import re

from workshop.errors import WorkshopError
from workshop.quiet import filtered_stderr

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep warnings and errors, drop the info banner


def _chatter(line: str) -> bool:
    """A start-up line that tells a learner nothing: absl's preamble, an info line (oneDNN,
    CPU features, "no CUDA drivers"), and, on a machine with no NVIDIA driver at all, CUDA's
    failed cuInit (there is no GPU to miss). Everything else, errors first, is kept."""
    return (line.startswith(("WARNING: All log messages before absl::InitializeLog()",
                             "To enable the following instructions:"))  # the CPU-feature line's second half
            or re.match(r"I\d{4} ", line) is not None
            or ("failed call to cuInit" in line and not os.path.exists("/dev/nvidiactl")))


_backend = os.environ.get("KERAS_BACKEND", "tensorflow")
if _backend != "tensorflow":
    raise WorkshopError(
        f"KERAS_BACKEND is set to {_backend!r}, but this workshop's GradientTape code needs TensorFlow: "
        "run `unset KERAS_BACKEND` (or set KERAS_BACKEND=tensorflow) and try again")

with filtered_stderr(drop=_chatter):  # TensorFlow's C++ writes before its logging is set up
    import tensorflow as tf
    import keras
    tf.config.list_physical_devices()  # where CUDA looks for a GPU and says so: inside the filter

if keras.backend.backend() != "tensorflow":  # e.g. set in ~/.keras/keras.json
    raise WorkshopError(
        f"Keras is configured for the {keras.backend.backend()!r} backend (see ~/.keras/keras.json); "
        "set \"backend\": \"tensorflow\" there or export KERAS_BACKEND=tensorflow")


class _KerasRetracingNotice(logging.Filter):
    """Drops TensorFlow's "N out of the last M calls to <function> triggered tf.function retracing"
    for Keras's own training, evaluation and prediction functions and the project's loops' steps
    (`fit.<locals>.train_step`, `test_step`). TensorFlow counts together the traces of every
    function made from one piece of code, so a lesson that fits several models in a row (a sweep)
    trips it, though each model traces its functions once or twice (a smaller last batch), as it
    must. The warning stays for every other function: a learner's own tf.function retraced in a
    loop is still told."""

    def filter(self, record):
        message = record.getMessage()
        return not ("triggered tf.function retracing" in message
                    and ("TensorFlowTrainer." in message or "fit.<locals>." in message))


tf.get_logger().addFilter(_KerasRetracingNotice())

_MIN_KERAS = (3, 14)
if tuple(int(p) for p in keras.__version__.split(".")[:2]) < _MIN_KERAS:
    raise WorkshopError(f"Keras {keras.__version__} is too old (need >= 3.14: earlier ones have safe_mode bypasses); "
                        "run `make setup` or `pip install -r requirements.txt`")

__all__ = ["tf", "keras"]
