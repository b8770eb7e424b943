"""The run's summary writers: one `tf.summary.create_file_writer` per folder of Keras's layout.

TensorBoard shows each folder holding event files as a run: `<run>/train` and
`<run>/validation` (the folders keras.callbacks.TensorBoard writes) and `<run>` itself
(test results, hparams, projector). The custom loops write their scalars through
`writers.train` and `writers.validation`; the keras level's TensorBoard callback opens its
own writers on the same folders (TensorBoard reads every event file of a folder).
"""

from pathlib import Path

from workshop.tf_env import tf


class RunWriters:
    """writers.train, writers.validation, writers.run: tf.summary writers of run_dir/train,
    run_dir/validation and run_dir. `flush()` puts what they hold on disk, and also what a
    keras.callbacks.TensorBoard handed to `also_flush` holds (the resume checkpoint records
    the event files' lengths after each epoch)."""

    def __init__(self, run_dir=None):
        """run_dir None: writers that write nothing (a worker beside the chief; tf.summary.create_noop_writer).
        Each writer opens its event file when first used: a resumed run restores its checkpoint first,
        which cuts away every event file written after the checkpoint."""
        self.run_dir = Path(run_dir) if run_dir is not None else None
        self._open, self._keras_callbacks = {}, []

    def _writer(self, folder):
        if folder not in self._open:
            self._open[folder] = (tf.summary.create_noop_writer() if self.run_dir is None
                                  else tf.summary.create_file_writer(str(self.run_dir / folder)))
        return self._open[folder]

    @property
    def train(self):
        return self._writer("train")

    @property
    def validation(self):
        return self._writer("validation")

    @property
    def run(self):
        return self._writer("")

    def also_flush(self, tensorboard_callback):
        """Flush this keras.callbacks.TensorBoard's writers with ours (Keras flushes them only when training ends)."""
        self._keras_callbacks.append(tensorboard_callback)

    def flush(self):
        for writer in self._open.values():
            writer.flush()
        for callback in self._keras_callbacks:
            for writer in getattr(callback, "_writers", {}).values():  # Keras opens them lazily, per folder
                writer.flush()

    def close(self):
        self.flush()
        for writer in self._open.values():
            writer.close()
        self._open.clear()
