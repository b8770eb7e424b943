"""Training on several workers (`workshop train ... --workers N`): what changes inside a worker.

Each worker is a process (workers.py starts them) holding a whole copy of the model. For every
global batch, in the seed's order, every worker:

  1. takes its slice of the batch (`on_workers`): consecutive pieces whose sizes differ by at
     most one, worker 0 first (a batch of 32 on 2 workers is 16 + 16; a last batch of 13 is 7 + 6);
  2. computes the gradient of the mean loss over its slice, counted as its share of the global
     batch (`share_of_batch`: times local size / global size, the loss's value unchanged);
  3. sums those gradients across workers (the all-reduce): the sum is the gradient of the mean
     loss over the whole global batch, the one a single process computes. The raw level sums by
     hand (raw_optimizers.py, `summed_across_workers`); a Keras optimizer created under the
     strategy's scope sums by itself (keras/src/backend/tensorflow/optimizer.py,
     `_all_reduce_sum_gradients`);
  4. applies the same update to its copy, so the copies stay identical.

What a step returns (the loss, the accuracy) is summed across workers the same way, weighted by
each slice's share, so every worker logs the global batch's mean and its callbacks (the NaN
guard) decide the same. The layers level's keras.metrics, created under the scope, sum their
totals across workers when read. Validation is split the same way.

In one process none of this exists: `on_workers(step)` is `step`, `share_of_batch(loss_fn)` is
`loss_fn`, and the compiled graph is the one it always was.

The strategy is tf.distribute.MultiWorkerMirroredStrategy, made once per process before any
other TensorFlow op (`join`), from the TF_CONFIG workers.py gives each worker. The raw level
keeps ordinary tf.Variables (its update is by hand; `scope_for("raw")` is no scope); the layers
level builds its model, optimizer and metrics inside `strategy.scope()`, as TensorFlow's guide
to custom loops under a strategy does. Keras's `fit` under this strategy fails upstream
(keras-team/keras#20585), so the keras level stays on one process (or MirroredStrategy).
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
_share = None  # tf.Variable: this worker's slice of the current global batch / its size
_local_workers = 1  # workers on this machine, sharing its cores


def join(local_workers: int = 1, local_index: int = 0, timeout_seconds=COLLECTIVE_TIMEOUT_SECONDS):
    """Make this process a worker of the cluster TF_CONFIG describes: start its server, wait for
    every other worker (MultiWorkerMirroredStrategy's start is a barrier) and return the strategy.
    Call once, before TensorFlow runs any other op. local_workers: how many run on this machine;
    local_index: this one's place among them."""
    global _strategy, _share, _local_workers
    gpus = tf.config.list_physical_devices("GPU")
    if len(gpus) > 1:  # one device per worker (the strategy would take every GPU it sees): its slice is its own
        tf.config.set_visible_devices(gpus[local_index % len(gpus)], "GPU")
    options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=timeout_seconds)
    _strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    workers = len(_strategy.cluster_resolver.cluster_spec().as_dict().get("worker", []))
    if _strategy.num_replicas_in_sync != workers:
        raise WorkshopError(f"{_strategy.num_replicas_in_sync} replicas for {workers} workers: each worker must "
                            "hold one device")
    _share = tf.Variable(1.0, trainable=False, name="share_of_batch")
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


def slice_of(size, worker: int, workers: int):
    """(begin, end) of worker `worker`'s slice of a batch of `size`: consecutive pieces whose sizes
    differ by at most one, the larger ones first (np.array_split's rule)."""
    base, extra = size // workers, size % workers
    begin = worker * base + tf.minimum(worker, extra)
    return begin, begin + base + tf.cast(worker < extra, size.dtype)


def on_workers(step):
    """`step(x, y) -> {name: batch mean}` (or None) on a global batch, run on this worker's slice of
    it, its outputs summed across workers weighted by each slice's share: the global batch's means.
    In a process of its own, `step` itself."""
    if _strategy is None:
        return step
    worker, workers = index(), count()

    def on_my_slice(x, y):
        size = tf.shape(x)[0]
        begin, end = slice_of(size, worker, workers)
        share = tf.cast(end - begin, tf.float32) / tf.cast(size, tf.float32)
        _share.assign(share)  # read by share_of_batch while `step` runs

        def weighted(x, y):
            logs = step(x, y)
            if logs is None:
                return None
            # an empty slice (a last batch smaller than the cluster) adds nothing, not its NaN mean
            return {k: tf.where(share > 0, tf.cast(v, tf.float32) * share, 0.0) for k, v in logs.items()}
        logs = _strategy.run(weighted, args=(x[begin:end], y[begin:end]))
        if logs is None:
            return None
        keys = sorted(logs)  # one all-reduce for all of them: each collective costs a round trip
        summed = _strategy.reduce(tf.distribute.ReduceOp.SUM, tf.stack([logs[k] for k in keys]), axis=None)
        return dict(zip(keys, tf.unstack(summed)))
    return on_my_slice


def share_of_batch(loss_fn, keras_divides: bool = False):
    """loss_fn(y, y_pred) -> the mean loss over this worker's slice, whose gradient counts for the
    slice's share of the global batch (local size / global size): summed across workers, these
    gradients are the gradient of the global batch's mean loss. Its value is the slice's mean, as
    before (what metrics and logs see). In a process of its own, `loss_fn` itself.

    keras_divides: loss_fn is a Keras loss, which under a strategy divides its mean by the number
    of workers (keras/src/losses/loss.py, `scale_loss_for_distribution`: the plain mean of the
    workers' means, which is off on a last batch that does not split evenly); that is undone here."""
    if _strategy is None:
        return loss_fn
    workers = count()

    @tf.custom_gradient
    def counted_as_share(loss):
        return tf.identity(loss), lambda upstream: upstream * tf.cast(_share, upstream.dtype)

    def loss_as_share(y, y_pred):
        loss = loss_fn(y, y_pred)
        return counted_as_share(loss * workers if keras_divides else loss)
    return loss_as_share


def summed_across_workers(grads):
    """Every worker's gradients summed, as Keras's optimizer does under a strategy; called by the raw
    level's optimizers inside `on_workers`. Alone (one process, or outside a step): `grads` as they are."""
    context = tf.distribute.get_replica_context()
    if _strategy is None or context is None or context.num_replicas_in_sync == 1:
        return grads
    return context.all_reduce(tf.distribute.ReduceOp.SUM, list(grads))


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
