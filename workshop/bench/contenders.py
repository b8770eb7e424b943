"""Things that train, one timed epoch at a time: the project's levels and the reference.

Each contender's `epoch()` runs two epochs and returns the seconds of the second,
so tracing and warm-up never count (each call builds its compiled step afresh).
"""

import gc
import subprocess
import sys
import tempfile
import time
from dataclasses import replace


from workshop.metrics import batch_metrics
from workshop.tf_env import keras, tf


class EpochTimer(keras.callbacks.Callback):
    """Training seconds of each epoch: from its start to the end of its last training batch, so
    the validation pass some contenders run at the end of an epoch does not count. Works in `fit`
    and in the project's own loops (both call on_train_batch_end, once per compiled call)."""

    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._last = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(self._last - self._t)


class TimeToAccuracy(EpochTimer):
    """EpochTimer that also measures the test accuracy after every epoch (untimed) and stops
    training once it reaches `target`. `seconds` sums to the training time to the target."""

    def __init__(self, predict, x_test, y_test, target):
        super().__init__()
        self.predict, self.x_test, self.y_test, self.target = predict, x_test, y_test, target
        self.reached, self.accuracy = 0, 0.0

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        self.accuracy = batch_metrics("classify", self.y_test, self.predict(self.x_test))["accuracy"]
        if self.accuracy >= self.target:
            self.reached = epoch + 1
            self.model.stop_training = True


class Level:
    """The project's own path: cfg.api's loop with `options` (mode 'function', 'eager' or 'jit')."""

    def __init__(self, name, cfg, data, options=None, mode="function"):
        from workshop.config import RunOptions
        from workshop.training.train import build_model
        self.name, self.mode = name, mode
        self.cfg = replace(cfg, epochs=2)
        self.options = replace(options or RunOptions(), verbose=0, jit_compile=(mode == "jit"))
        self.data = data
        self.model = build_model(self.cfg, data, options=self.options)
        self.examples = len(data.x_train)

    def epoch(self):
        from workshop.training.train import fit
        timer = EpochTimer()
        tf.config.run_functions_eagerly(self.mode == "eager")
        try:
            fit(self.cfg, self.model, self.data, callbacks=[timer], options=self.options)
        finally:
            tf.config.run_functions_eagerly(False)
        return timer.seconds[-1]


class PlainFit:
    """`fit` on NumPy arrays with `batch_size`: the reference recipe, or any compiled model."""

    def __init__(self, name, model, x, y, batch_size):
        self.name, self.model, self.x, self.y, self.batch_size = name, model, x, y, batch_size
        self.examples = len(x)

    def epoch(self):
        timer = EpochTimer()
        self.model.fit(self.x, self.y, batch_size=self.batch_size, epochs=2, verbose=0, callbacks=[timer])
        return timer.seconds[-1]


def reference_recipe(model, data):
    """The reference recipe for `model` ('cnn': Keras's MNIST convnet; 'mlp': the same style) on `data`."""
    from workshop.bench import reference
    build = reference.build if model == "cnn" else reference.build_mlp
    return PlainFit(f"{model} reference recipe (plain fit, Adam, batch {reference.BATCH_SIZE})",
                    build(data.input_shape), data.x_train, reference.one_hot(data.y_train), reference.BATCH_SIZE)


class Remote:
    """A contender in a worker process (bench/worker.py), with TensorFlow's default threads.
    It starts at once; `examples` waits until it is ready."""

    def __init__(self, name, kind, model, dataset, quick):
        self.name, self._examples = name, None
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen([sys.executable, "-m", "workshop.bench.worker", kind, model, dataset]
                                     + (["--quick"] if quick else []), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self._stderr, text=True)

    def read(self):
        """The values of the worker's next `bench-worker ...` line."""
        from workshop.bench.worker import PREFIX
        for line in self.proc.stdout:
            if line.startswith(PREFIX + " "):
                return line.split()[1:]
        self._stderr.seek(0)
        tail = self._stderr.read().strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"benchmark worker for {self.name!r} stopped: {tail[0]}")

    @property
    def examples(self):
        if self._examples is None:
            self._examples = int(self.read()[-1])
        return self._examples

    def epoch(self):
        self.proc.stdin.write("epoch\n")
        self.proc.stdin.flush()
        return float(self.read()[0])

    def close(self):
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait()
        self._stderr.close()


def remote_value(kind, model, dataset, quick):
    """Run a one-shot worker (KIND peak or time-to-accuracy) and return its values."""
    worker = Remote(kind, kind, model, dataset, quick)
    try:
        return worker.read()
    finally:
        worker.close()


def round_robin(contenders, rounds):
    """{name: [examples/s per round]}: every round times one epoch of every contender in turn
    (once every contender, worker processes included, is ready: none starts up while others are timed)."""
    for c in contenders:
        c.examples  # noqa: B018 - waits for workers to be ready
    # a benchmark process holds ~500,000 Python objects (every contender's model and traced steps):
    # a full garbage collection of them takes ~0.3 s, and one landing in a timed epoch would be
    # charged to that contender. Frozen objects are skipped by the collector.
    gc.collect()
    gc.freeze()
    speeds = {c.name: [] for c in contenders}
    for _ in range(rounds):
        for c in contenders:
            speeds[c.name].append(c.examples / c.epoch())
    return speeds
