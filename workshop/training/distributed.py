"""Training on several workers (`workshop train ... --workers N`): the process's strategy.

Each worker is a process (workers.py starts them) holding a whole copy of the model. The
strategy is tf.distribute.MultiWorkerMirroredStrategy, made once per process before any other
TensorFlow op (`join`), from the TF_CONFIG workers.py gives each worker; the loop they run is
distributed_loop.py. The raw level keeps ordinary tf.Variables (its update is by hand, on the
summed gradients; `scope_for("raw")` is no scope); the layers level builds its model, optimizer
and metrics inside `strategy.scope()`, as TensorFlow's guide to custom loops under a strategy
does. Keras's `fit` under this strategy fails upstream (keras-team/keras#20585), so the keras
level stays on one process (or MirroredStrategy). A resumed run's state comes from the chief
(`from_chief`).
"""

import contextlib
import os

from workshop.errors import WorkshopError
from workshop.tf_env import tf

# A timeout for every collective (CommunicationOptions(timeout_seconds=...)) would be a second line of
# defence behind workers.py, which stops every worker as soon as one exits. Measured here, it costs
# too much for what it adds: TensorFlow starts a thread per collective to watch it, and the 2-worker
# MLP on digits ran at 2,300-2,450 examples/s with a 300 s timeout against 2,850-3,050 without, in
# twice the wall time. TensorFlow defends itself already: a worker whose peer dies gets "Connection
# reset by peer" in its next all-reduce (measured: it exits 2 s after the peer is killed, with no
# supervisor), and the coordination service aborts the collectives of a peer that stops sending
# heartbeats. Set it (seconds) to debug a hang.
COLLECTIVE_TIMEOUT_SECONDS = None

_strategy = None  # this process's MultiWorkerMirroredStrategy, once `join` made it
_local_workers = 1  # workers on this machine, sharing its cores


def join(local_workers: int = 1, local_index: int = 0, timeout_seconds=COLLECTIVE_TIMEOUT_SECONDS):
    """Make this process a worker of the cluster TF_CONFIG describes: start its server, wait for
    every other worker (MultiWorkerMirroredStrategy's start is a barrier) and return the strategy.
    Call once, before TensorFlow runs any other op. local_workers: how many run on this machine;
    local_index: this one's place among them."""
    global _strategy, _local_workers
    gpus = tf.config.list_physical_devices("GPU")
    if len(gpus) > 1:  # one device per worker (the strategy would take every GPU it sees): its slice is its own
        tf.config.set_visible_devices(gpus[local_index % len(gpus)], "GPU")
    options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=timeout_seconds)
    _strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    workers = len(_strategy.cluster_resolver.cluster_spec().as_dict().get("worker", []))
    if _strategy.num_replicas_in_sync != workers:
        raise WorkshopError(f"{_strategy.num_replicas_in_sync} replicas for {workers} workers: each worker must "
                            "hold one device")
    _local_workers = local_workers
    return _strategy


def strategy():
    """The strategy `join` made, or None in a process of its own."""
    return _strategy


def index() -> int:
    """This worker's index in the cluster (0, the chief, writes logs and saves); 0 alone."""
    return _strategy.cluster_resolver.task_id if _strategy else 0


def count() -> int:
    return _strategy.num_replicas_in_sync if _strategy else 1


def is_chief() -> bool:
    return index() == 0


def threads(wanted: int) -> int:
    """Intra-op threads for this worker: `wanted` (speed.choose_threads), except that "every core"
    (0) is shared among the workers on this machine, so they do not fight over the same cores."""
    if wanted or _local_workers == 1:
        return wanted
    return max(1, (os.cpu_count() or 1) // _local_workers)


def scope_for(api: str):
    """Where the model and its loop are built: the strategy's scope for Keras objects (the layers
    level: mirrored weights, an optimizer that sums the workers' gradients, metrics summed on read);
    none for the raw level's own tf.Variables, nor in a process of its own."""
    if _strategy is None or api != "layers":
        return contextlib.nullcontext()
    return _strategy.scope()


class FromChief:
    """The checkpoint every worker starts from: the chief's (an EpochCheckpoint, checkpoints.py,
    restoring a resumed run from the chief's run folder), sent to the others, which keep none of
    their own; a new run starts from the epoch 0 weights, the same on every worker anyway.

    `restore(variables) -> epochs done`, as EpochCheckpoint's: the loops call it before training."""

    def __init__(self, checkpoint=None):
        self.checkpoint = checkpoint

    def restore(self, variables) -> int:
        variables = list(variables)
        epochs = self.checkpoint.restore(variables) if self.checkpoint is not None else 0
        values = _from_chief([tf.constant(epochs, tf.int64), *variables])
        for variable, value in zip(variables, values[1:]):
            variable.assign(tf.cast(value, variable.dtype))
        return int(values[0])


def _from_chief(values):
    """The chief's `values` (tensors or variables, the same shapes in the same order on every
    worker) on every worker: an all-reduce in which the others add zeros."""
    chief = is_chief()
    # one all-reduce sums tensors of one dtype: everything travels as float64, which holds float32
    # weights, a uint32 random state and a step count exactly
    values = [tf.cast(v, tf.float64) for v in values]

    @tf.function
    def broadcast(values):
        def mine(values):
            zeros_unless_chief = [tf.identity(v) if chief else tf.zeros_like(v) for v in values]  # placed here
            return tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, zeros_unless_chief)
        return _strategy.run(mine, args=(values,))
    return broadcast(values)


def from_chief(checkpoint):
    """What a loop restores from: on workers, FromChief(checkpoint) (None: a worker other than the
    chief); alone, `checkpoint` itself."""
    return checkpoint if _strategy is None else FromChief(checkpoint)
