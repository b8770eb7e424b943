"""The TensorBoard callbacks every training run gets, whatever its level.

    EpochScalars     Keras's scalar tags: epoch_loss, epoch_accuracy, ... (scalars.py)
    StepGraph        the op graph of the compiled training step (graph.py)
    ConfusionMatrix  the validation confusion matrix, image and table (confusion.py);
                     classify and binary only. It shares one prediction pass per epoch
                     with the dashboards' grid of mistakes.
    RunDashboards    histograms, images, text (dashboards.py)
They watch: each takes what it reads (the view, the data, the run's settings) in its
constructor and the loop's `logs`, and they share one set of writers.
After training, `dashboards.write_results` adds the test scores, HParams and the Projector.
"""

from workshop.tensorboard.confusion import ConfusionMatrix, ValPredictions
from workshop.tensorboard.dashboards import RunDashboards
from workshop.tensorboard.graph import StepGraph
from workshop.tensorboard.scalars import EpochScalars


def standard_callbacks(writers, view, data, task, settings, batch_summaries=False, graph=True, resumed=False,
                       schedule=None):
    """Callbacks writing through `writers` (a Writers on the run folder). view: the model's
    view (training/views.py); data: a Splits; task: "classify", "binary" or "regress";
    settings: the run's configuration as a flat dict (model, api, learning_rate, ...);
    batch_summaries: also batch_loss; graph: the loop compiles its step (so trace it);
    resumed: the run continues an interrupted one, whose graph and texts are already written;
    schedule: the run's learning-rate schedule (rate(step)) to chart, or None for a constant rate."""
    predictions = ValPredictions(view, data.x_val)
    callbacks = [EpochScalars(writers, learning_rate=schedule, batches=batch_summaries)]  # no flat chart (scalars.py)
    if graph and not resumed:
        callbacks.append(StepGraph(writers))
    if task in ("classify", "binary"):
        callbacks.append(ConfusionMatrix(writers.run_dir, view, data, task, predictions, writers))
    callbacks.append(RunDashboards(writers, view, data, task, settings, predictions, texts=not resumed))
    return callbacks
