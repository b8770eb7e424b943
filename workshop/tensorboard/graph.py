"""The Graphs dashboard: the op graph of the first compiled training call, at every level.

`StepGraph` switches TensorFlow's graph tracing on when training begins and writes what
was traced when the first training call ends, so it needs nothing from the loop it
watches: in the custom loops that first call is one `train_step`; in `fit`, Keras's
compiled train function. (Keras 3's own TensorBoard callback cannot write an op graph.)
The numpy level compiles nothing, so its runs get no StepGraph (an empty graph would mislead).
"""

from workshop.tensorboard.writers import Writers
from workshop.tf_env import keras, tf


class StepGraph(keras.callbacks.Callback):
    """Args: writers: the run's Writers, or a run folder; the graph goes into `train/`."""

    def __init__(self, writers):
        super().__init__()
        self.writers = writers if isinstance(writers, Writers) else Writers(writers)
        self.tracing = False

    def on_train_begin(self, logs=None):
        tf.summary.trace_on(graph=True)
        self.tracing = True

    def on_train_batch_end(self, batch, logs=None):
        if self.tracing:
            self.tracing = False
            with self.writers["train"].as_default():
                tf.summary.trace_export("train_step", step=0)
            self.writers.flush()

    def on_train_end(self, logs=None):
        if self.tracing:  # no training call finished (e.g. zero steps): stop tracing, write nothing
            self.tracing = False
            tf.summary.trace_off()
