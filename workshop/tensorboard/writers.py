"""Summary writers for one run folder, one per sub-folder, opened on first use.

TensorBoard shows each folder holding event files as a run: `<run>/train` and
`<run>/validation` (Keras's layout) and `<run>` itself (test results, hparams, projector).
"""

from pathlib import Path

from workshop.tf_env import tf


class Writers:
    """writers["train"] -> the tf.summary writer of run_dir/train; "" is run_dir itself."""

    def __init__(self, run_dir):
        self.run_dir, self._open = Path(run_dir), {}

    def __getitem__(self, folder: str):
        if folder not in self._open:
            self._open[folder] = tf.summary.create_file_writer(str(self.run_dir / folder))
        return self._open[folder]

    def flush(self):
        for writer in self._open.values():
            writer.flush()

    def close(self):
        for writer in self._open.values():
            writer.close()
        self._open.clear()
