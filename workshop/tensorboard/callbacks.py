"""The callbacks every training run gets, whatever its level.

    scalars      keras level: Keras's own TensorBoard callback; other levels: EpochScalars,
                 which writes the same tags (scalars.py)
    dashboards   histograms, images, text, graph (keras level), hparams, projector,
                 test scalars (dashboards.py)
    confusion    the validation confusion matrix, image and table (confusion.py);
                 classify and binary only. It shares one prediction pass per epoch with
                 the dashboards' grid of mistakes.
"""

from workshop.tensorboard.confusion import ConfusionMatrix, ValPredictions
from workshop.tensorboard.dashboards import RunDashboards
from workshop.tensorboard.scalars import EpochScalars
from workshop.tensorboard.writers import Writers
from workshop.tf_env import keras


def standard_callbacks(cfg, run_dir, view, data, task):
    """Callbacks for one run of the resolved TrainConfig `cfg` writing into `run_dir`;
    `view` (training/views.py) and `data` (a TaskData) are what they read from."""
    if cfg.api == "keras":
        callbacks = [keras.callbacks.TensorBoard(log_dir=str(run_dir), histogram_freq=0, write_graph=False)]
        if cfg.batch_summaries:
            callbacks.append(EpochScalars(run_dir, epochs=False, batches=True))
    else:
        callbacks = [EpochScalars(run_dir, batches=cfg.batch_summaries)]
    predictions, writers = ValPredictions(view, data.x_val), Writers(run_dir)
    if task in ("classify", "binary"):
        callbacks.append(ConfusionMatrix(run_dir, view, data, task, predictions, writers))
    # last: it closes the shared writers at train end
    callbacks.append(RunDashboards(run_dir, view, data, task, cfg, predictions, writers))
    return callbacks
