"""How fast the same math runs: the settings `train()` applies around every loop.

None of it is in the loops, and none of it changes what is learned (bfloat16 aside, which is why
it is opt-in). Each was kept because `workshop bench` measured it paying on a laptop CPU:

    threads          one intra-op thread for small steps: the digits CNN ~1.3x, the MLP ~1.1x;
                     the CNN on 28x28 is ~1.4x *slower* on one thread, so large steps keep every core
    precision        mixed_bfloat16 (opt-in): 1.2-1.5x on 28x28 with AVX512_BF16, not on 8x8
    Stopwatch        seconds to the first finished step (what a learner waits through) and
                     training seconds (for examples/s)
The loops' own speed-up is `@tf.function` on their step (and, at the keras level, `compile`'s
`steps_per_execution`).
"""

import contextlib
import time

from workshop.algorithms.shapes import forward_flops
from workshop.tf_env import keras, tf

# A training step (3x the forward FLOPs of a batch) under this runs on one thread:
# the digits CNN is ~0.12 GFLOP per step, the same CNN on 28x28 images ~0.9.
SMALL_STEP_FLOPS = 0.5e9


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
