"""Everything but the scalars, for every run at every level: one Keras callback.

`RunDashboards` takes the view and the data in its constructor instead of relying on
`self.model`, so `fit` and the custom loops (numpy, raw, layers) use it alike, and a
weight has the same tag at every level. What it writes, and where:

    when         dashboard    folder       tag
    train begin  Text         train        model_summary, config
    train begin  Graphs       train        the Keras model's forward pass (keras level only:
                                           the custom loops trace their own train_step)
    every epoch  Histograms   train        weights/dense_0/kernel, weights/conv_0/kernel, ...
    every epoch  Images       validation   mistakes (misclassified digits, true->predicted)
    every epoch  Images       train        filters/conv_0 (when the model has a conv layer)
    train end    Scalars      <run>        test/loss, test/accuracy, run/wall_seconds
    train end    HParams      <run>        settings + final metrics
    train end    Projector    <run>        last hidden layer of up to 1000 test images

For a regression (task "regress") only the histograms and the test/loss, wall-time scalars.
The confusion matrix is its own callback (confusion.py); give both one ValPredictions.
"""

import json
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from workshop.tensorboard import pictures
from workshop.tensorboard.confusion import ValPredictions, predicted_classes, true_classes
from workshop.tensorboard.writers import Writers
from workshop.tf_env import keras, tf

MISTAKES_SHOWN = 24
PROJECTOR_POINTS = 1000


def _code_block(text: str) -> str:
    """Markdown's indented code block: the Text dashboard keeps the columns lined up."""
    return "\n".join("    " + line for line in text.splitlines())


def trace_forward(model, x, writer):
    """Write the op graph of model(x) to `writer`: Keras 3's TensorBoard callback cannot."""
    forward = tf.function(lambda x: model(x, training=False))
    tf.summary.trace_on(graph=True)
    forward(x)
    with writer.as_default():
        tf.summary.trace_export("forward", step=0)


class RunDashboards(keras.callbacks.Callback):
    """Args: run_dir: the run's folder. view: the model's view (training/views.py).
    data: a TaskData. task: "classify", "binary" or "regress". config: the resolved
    TrainConfig. predictions: a ValPredictions shared with ConfusionMatrix (optional)."""

    def __init__(self, run_dir, view, data, task, config, predictions=None, writers=None):
        super().__init__()
        self.view, self.data, self.task, self.config = view, data, task, config
        self.run_name = Path(run_dir).name
        self.classifies = task in ("classify", "binary")
        self.predictions = predictions or ValPredictions(view, data.x_val)
        self.writers = writers or Writers(run_dir)
        self.epochs_done, self._start = 0, None

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()
        if not self.classifies:
            return
        with self.writers["train"].as_default():
            tf.summary.text("model_summary", _code_block(self.view.summary_text()), step=0)
            config = {k: v for k, v in asdict(self.config).items() if k != "verbose"}
            tf.summary.text("config", _code_block(json.dumps(config, indent=2, default=str)), step=0)
        if self.config.api == "keras":
            trace_forward(self.view.model, self.data.x_val[:1], self.writers["train"])
        self.writers.flush()

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_done = epoch + 1
        weights = dict(zip(self.view.weight_names, self.view.get_weights()))
        with self.writers["train"].as_default():
            for name, value in weights.items():
                tf.summary.histogram(f"weights/{name}", value, step=epoch)
            if self.classifies and "conv_0/kernel" in weights:
                tf.summary.image("filters/conv_0", pictures.filter_grid(weights["conv_0/kernel"]), step=epoch,
                                 description="the first conv layer's filters (input channel 0), each scaled")
        if self.classifies:
            self._write_mistakes(epoch)
        self.writers.flush()

    def _write_mistakes(self, epoch):
        y_true = true_classes(self.data.y_val)
        y_pred = predicted_classes(self.task, self.predictions.at(epoch))
        wrong = np.flatnonzero(y_pred != y_true)[:MISTAKES_SHOWN]
        if not len(wrong):
            return
        names = self.data.class_names
        captions = [f"{names[y_true[i]]}→{names[y_pred[i]]}" for i in wrong]
        with self.writers["validation"].as_default():
            tf.summary.image("mistakes", pictures.digit_grid(self.data.x_val[wrong], captions), step=epoch,
                             description=f"the first {MISTAKES_SHOWN} misclassified validation images: true→predicted")

    def on_train_end(self, logs=None):
        from workshop.training.prepare import numpy_metrics

        wall = time.perf_counter() - self._start if self._start else 0.0
        y_pred = self.view.predict(self.data.x_test)
        test_loss, test_accuracy = numpy_metrics(self.task, self.data.y_test, y_pred)
        with self.writers[""].as_default():
            step = self.epochs_done
            tf.summary.scalar("test/loss", test_loss, step=step)
            if test_accuracy is not None:
                tf.summary.scalar("test/accuracy", test_accuracy, step=step)
            tf.summary.scalar("run/wall_seconds", wall, step=step)
            if self.classifies:
                from workshop.tensorboard.hparams import write_hparams
                write_hparams(self.config, self.run_name)
        self.writers.flush()
        if self.classifies:
            self._write_projector(y_pred[:PROJECTOR_POINTS])
        self.writers.close()

    def _write_projector(self, y_pred):
        from workshop.tensorboard.projector import write_projector

        x = self.data.x_test[:len(y_pred)]
        try:
            features = self.view.features(x)
        except AttributeError:  # a model without a hidden layer to show (e.g. a raw logistic regression)
            return
        names = self.data.class_names
        write_projector(self.writers.run_dir, features.reshape(len(x), -1),
                        [names[i] for i in true_classes(self.data.y_test[:len(x)])],
                        [names[i] for i in predicted_classes(self.task, y_pred)], images=x)
