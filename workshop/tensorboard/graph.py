"""The Graphs dashboard at the keras level: the op graph of one training step.

The custom loops write their own `train_step`'s graph (`tf.summary.graph` of its concrete
function, before their first epoch). `fit` runs a whole compiled call of several steps as its
first "batch", so `KerasStepGraph` writes the graph of one `model.train_step`, traced (not
run) once the first call has built everything: `tf.summary.graph`, as Keras 2's TensorBoard
callback wrote it (Keras 3's cannot). Why not `tf.summary.trace_on` around the first call:
it records every function TensorFlow instantiates meanwhile, and in a process that trained
before (a notebook, a lesson) TensorBoard drew dozens of unconnected boxes.
The numpy level compiles nothing, so its runs get no graph (an empty one would mislead).
"""

from workshop.tf_env import keras, tf


class KerasStepGraph(keras.callbacks.Callback):
    """Args: writer: the run's train writer; x_spec, y_spec: tf.TensorSpec of a batch (the graph's inputs)."""

    def __init__(self, writer, x_spec, y_spec):
        super().__init__()
        self.writer, self.specs, self.done = writer, (x_spec, y_spec), False

    def on_train_batch_end(self, batch, logs=None):
        if self.done:
            return
        self.done = True
        step = tf.function(lambda x, y: self.model.train_step((x, y)))
        with self.writer.as_default():
            tf.summary.graph(step.get_concrete_function(*self.specs).graph)
