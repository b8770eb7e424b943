"""How many threads one TensorFlow op may use: the rule `workshop bench` measured.

TensorFlow splits every op across all cores (its intra-op thread pool). On the
workshop's small models that costs more than it saves: an 8x8-digit CNN step is a
few dozen ops of microseconds each, and handing each one to two threads and
waiting for both is slower than one thread doing it. Measured on 2 cores (see
workshop/bench/): the CNN on digits trains ~1.3x faster on one thread, the MLP
~1.1x; the same CNN on 28x28 images is ~1.4x *slower* on one thread. So: one
thread when a training step is small, TensorFlow's default (all cores) otherwise.

Threads can only be set before TensorFlow runs its first op, so `apply` is
called by `train()` before the model is built; later calls keep what was set.
"""

from workshop.algorithms.shapes import forward_flops

# A training step (3x the forward FLOPs of a batch) under this runs on one thread:
# the digits CNN is ~0.12 GFLOP per step, the same CNN on 28x28 images ~0.9.
SMALL_STEP_FLOPS = 0.5e9


def choose(cfg, input_shape, classes) -> int:
    """Intra-op threads for the resolved TrainConfig `cfg`: cfg.threads if set, else
    1 for a small step and 0 (TensorFlow's default: one per core) for a large one."""
    if cfg.threads:
        return cfg.threads
    step = 3 * cfg.batch_size * forward_flops(cfg.model, input_shape, max(classes, 1), cfg.hidden)
    return 1 if step < SMALL_STEP_FLOPS else 0


def apply(threads: int) -> int:
    """Set the intra-op pool to `threads` (0: TensorFlow's default) if TensorFlow has not
    started yet; returns the setting in force (0 = one per core)."""
    from workshop.tf_env import tf
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
    except RuntimeError:  # TensorFlow already ran an op in this process: its pools are fixed
        pass
    return tf.config.threading.get_intra_op_parallelism_threads()
