"""Summary writers for one run folder, one per sub-folder, opened on first use, and the thread
that writes for them.

TensorBoard shows each folder holding event files as a run: `<run>/train` and
`<run>/validation` (Keras's layout) and `<run>` itself (test results, hparams, projector).

The dashboards take what they show at the end of an epoch (the weights, the validation
predictions: quick copies) and hand the slow part - drawing figures, encoding PNGs, writing
events - to `later`, which runs it on one background thread, in the order handed over, while
the next epoch trains. `write` puts an epoch's summaries for one folder (summaries.py) into
one event, with one TensorFlow op. Nothing is dropped: `flush` and `close` wait for all of
it, and an error in it is raised on the training's own thread.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tensorboard.compat.proto.summary_pb2 import Summary

from workshop.tf_env import tf


class Writers:
    """writers["train"] -> the tf.summary writer of run_dir/train; "" is run_dir itself."""

    def __init__(self, run_dir):
        self.run_dir, self._open = Path(run_dir), {}
        self._lock = threading.Lock()  # both threads open writers
        self._thread, self._pending = None, []

    def __getitem__(self, folder: str):
        with self._lock:
            if folder not in self._open:
                self._open[folder] = tf.summary.create_file_writer(str(self.run_dir / folder))
            return self._open[folder]

    def write(self, folder: str, step: int, values) -> None:
        """The summary values (summaries.py: Summary.Value protos) into folder's events at `step`, as one event."""
        if values:
            with self[folder].as_default():
                tf.summary.experimental.write_raw_pb(Summary(value=list(values)).SerializeToString(), step=step)

    def later(self, work):
        """Run work() on the writers' thread after everything handed over before it, then flush
        the event files; the caller goes on at once. An earlier piece's error is raised here."""
        self._raise_errors(done_only=True)
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tensorboard-writer")

        def run():
            work()
            self.flush_files()
        self._pending.append(self._thread.submit(run))

    def wait(self):
        """Until every piece of work handed to `later` is done; raises the first error among them."""
        self._raise_errors(done_only=False)

    def _raise_errors(self, done_only):
        finished = [f for f in self._pending if f.done() or not done_only]
        self._pending = [f for f in self._pending if f not in finished]
        for future in finished:
            future.result()  # waits, and re-raises what the work raised

    def flush_files(self):
        """The event files as written so far, on disk (from either thread; `flush` also waits)."""
        with self._lock:
            writers = list(self._open.values())
        for writer in writers:
            writer.flush()

    def flush(self):
        self.wait()
        self.flush_files()

    def close(self):
        try:
            self.wait()
        finally:
            if self._thread is not None:
                self._thread.shutdown(wait=True)
                self._thread = None
            for writer in self._open.values():
                writer.close()
            self._open.clear()
