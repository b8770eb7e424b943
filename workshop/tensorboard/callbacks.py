"""The callbacks every training run gets, whatever its level."""

from workshop.tf_env import keras
from workshop.tensorboard.scalars import EpochScalars


def standard_callbacks(cfg, run_dir, view, data, task):
    """Callbacks for one run. keras level: Keras's own TensorBoard callback for the
    epoch scalars; other levels: EpochScalars, which writes the same tags."""
    if cfg.api == "keras":
        callbacks = [keras.callbacks.TensorBoard(log_dir=str(run_dir), histogram_freq=0, write_graph=False)]
        if cfg.batch_summaries:
            callbacks.append(EpochScalars(run_dir, epochs=False, batches=True))
    else:
        callbacks = [EpochScalars(run_dir, batches=cfg.batch_summaries)]
    return callbacks
