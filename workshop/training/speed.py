"""The speed machinery: what makes the loops fast without changing their math.

A learner never needs to open this file: each loop shows its speed-up as one line,
`run_steps = compiled_steps(train_step, n)`, and everything else here is applied by
`train()`. Every setting was kept because `workshop bench` measured it paying on a
laptop CPU (2 cores, digits):

    compiled_steps   tf.function, n batches per compiled call (fit's steps_per_execution):
                     CNN 1.8-1.9x, MLP 1.8-3.5x over one step per call; eager is 0.04-0.2x
    threads          one intra-op thread for small steps: the digits CNN ~1.3x, the MLP ~1.1x;
                     the CNN on 28x28 is ~1.4x *slower* on one thread, so large steps keep every core
    Stopwatch        seconds to the first finished step (what a learner waits through) and
                     training seconds (for examples/s)
    precision        mixed_bfloat16 (opt-in): 1.2-1.5x on 28x28 with AVX512_BF16, not on 8x8
    jit_compile      XLA (opt-in): the CNN measured 0.2-0.6x of the same loop without it
"""

import contextlib
import time

from workshop.algorithms.shapes import forward_flops
from workshop.tf_env import keras, tf

MAX_STEPS_PER_CALL = 64
# A training step (3x the forward FLOPs of a batch) under this runs on one thread:
# the digits CNN is ~0.12 GFLOP per step, the same CNN on 28x28 images ~0.9.
SMALL_STEP_FLOPS = 0.5e9


def steps_per_call(options, steps: int) -> int:
    """Batches per compiled call, the same rule at every TensorFlow level (fit's included).

    options.steps_per_execution, or 0 = auto: a whole epoch, at most 64 batches. Per-batch
    summaries need a callback after every batch, so they get one batch per call.
    """
    if options.batch_summaries:
        return 1
    return options.steps_per_execution or min(steps, MAX_STEPS_PER_CALL)


def compiled_steps(train_step, n: int, jit_compile: bool = False):
    """`train_step(x, y) -> {name: batch mean}` compiled, n batches per call.

    Returns run_steps(batches, steps), a generator that takes `steps` batches from the
    iterator `batches` and yields (step, size, logs) after each compiled call: the index of
    its last batch, the examples it saw and train_step's outputs averaged over them. The
    batches and their order are exactly those of a plain `for` loop; only the Python
    between steps goes. The run's first batch goes alone, so the first call ends after one
    step (what the first-step timing measures) and a traced graph shows one training step.
    """
    step = tf.function(train_step, jit_compile=jit_compile, reduce_retracing=True)

    @tf.function(reduce_retracing=True)
    def many(batches, count):
        # the batch iterator is read inside the graph, as fit(steps_per_execution=n) does
        x, y = next(batches)
        size = tf.cast(tf.shape(x)[0], tf.float32)
        sums = {k: v * size for k, v in step(x, y).items()}
        for _ in tf.range(count - 1):
            x_next, y_next = next(batches)
            batch = tf.cast(tf.shape(x_next)[0], tf.float32)
            logs = step(x_next, y_next)
            sums = {k: sums[k] + logs[k] * batch for k in sums}
            size += batch
        return sums, size

    started = [False]

    def run_steps(batches, steps):
        done = 0
        while done < steps:
            if not started[0]:
                started[0] = True
                x, y = next(batches)
                count, size, logs = 1, int(x.shape[0]), {k: float(v) for k, v in step(x, y).items()}
            else:
                count = min(n, steps - done)
                sums, size = many(batches, tf.constant(count))
                size = float(size)
                logs = {k: float(v) / size for k, v in sums.items()}
            done += count
            yield done - 1, size, logs

    return run_steps


def choose_threads(config, options, input_shape, classes) -> int:
    """Intra-op threads for a run: options.threads if set, else 1 for a small training
    step and 0 (TensorFlow's default: one per core) for a large one."""
    if options.threads:
        return options.threads
    step = 3 * config.batch_size * forward_flops(config.model, input_shape, max(classes, 1), config.hidden)
    return 1 if step < SMALL_STEP_FLOPS else 0


def apply_threads(threads: int) -> int:
    """Set the intra-op pool to `threads` (0: TensorFlow's default) if TensorFlow has not run
    an op yet (its pools are fixed from then on); returns the setting in force (0 = one per core)."""
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
    except RuntimeError:  # TensorFlow already ran an op in this process
        pass
    return tf.config.threading.get_intra_op_parallelism_threads()


@contextlib.contextmanager
def precision(policy: str):
    """Models built inside compute in `policy` ("float32" or "mixed_bfloat16"): Keras layers
    take the dtype policy in force when they are made. The weights stay float32."""
    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(before)


class Stopwatch(keras.callbacks.Callback):
    """`seconds_to_first_step`: from `start` (a time.perf_counter() value, e.g. when the command
    began) to the end of the first training call; `seconds`: from train begin to train end."""

    def __init__(self, start):
        super().__init__()
        self.start, self.seconds_to_first_step, self.seconds = start, None, None

    def on_train_begin(self, logs=None):
        self._begin = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if self.seconds_to_first_step is None:
            self.seconds_to_first_step = time.perf_counter() - self.start

    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter() - self._begin
