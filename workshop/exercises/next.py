"""Exercises of the next-steps lesson: what MirroredStrategy does with a global batch (split
it across the replicas), and why averaging their gradients gives the whole batch's. Truth:
the shards' defining properties, and the package's logistic gradient (algorithms/logistic_numpy.py)
of the whole batch."""

import numpy as np

from workshop.algorithms.logistic_numpy import Logistic
from workshop.exercises.core import NONE, Exercise, Wrong, call, compare, recognise, values


def shard_batch(x, replicas):
    size, extra = divmod(len(x), replicas)
    shards, start = [], 0
    for r in range(replicas):
        stop = start + size + (1 if r < extra else 0)  # the first `extra` shards take one more
        shards.append(x[start:stop])
        start = stop
    return shards


def check_shard_batch(fn) -> str:
    rng = np.random.default_rng()
    r = int(rng.integers(3, 7))
    cases = [(4 * r + 2, r),  # a remainder of 2: one more for the first two shards
             (2 * int(rng.integers(3, 10)) + 1, 2),  # an odd batch on 2 replicas
             (r * int(rng.integers(2, 6)), r),  # divides evenly
             (r, r), (int(rng.integers(2, 9)), 1)]  # one example each; one replica
    for n, replicas in cases:
        x = rng.normal(size=(n, 3))
        got = call(fn, x, replicas, advice=[
            ("equal division", "np.split needs equal parts: np.array_split allows an uneven batch")])
        _diagnose_shards(got, x, replicas)
    return "right on 5 batches: uneven, odd on 2 replicas, even, one example each, and 1 replica"


def _diagnose_shards(got, x, replicas):
    n = len(x)
    if got is None:
        raise Wrong(NONE)
    try:
        shards = [np.asarray(s, dtype=float) for s in got]
    except TypeError:
        raise Wrong(f"return a list of {replicas} arrays, got {type(got).__name__}") from None
    if len(shards) != replicas:
        raise Wrong(f"{replicas} shards expected (one per replica), got {len(shards)} (batch of {n})")
    for s in shards:
        if s.shape[1:] != x.shape[1:]:
            raise Wrong(f"each shard is a block of examples, shape (k, {x.shape[1]}); got one of shape {s.shape}")
    sizes = [len(s) for s in shards]
    if sum(sizes) < n:
        raise Wrong(f"the shards hold {sum(sizes)} of the {n} examples: {n - sum(sizes)} are lost. "
                    f"{n} does not divide by {replicas}: give the first {n % replicas} shards one example more")
    if sum(sizes) > n:
        raise Wrong(f"the shards hold {sum(sizes)} examples, the batch only {n}: some appear twice")
    if max(sizes) - min(sizes) > 1:
        raise Wrong(f"shard sizes {sizes} differ by more than 1: spread the remainder, one example per shard")
    joined = np.concatenate(shards)
    if np.array_equal(joined, x):
        return
    if all(np.array_equal(s, x[i::replicas]) for i, s in enumerate(shards)):
        raise Wrong("the shards are interleaved (x[i::replicas]): each replica gets a consecutive block")
    if np.array_equal(np.sort(joined, axis=0), np.sort(x, axis=0)):
        raise Wrong("the shards hold the batch's examples, but not in order: consecutive blocks, first shard first")
    raise Wrong("the shards do not hold the batch's examples: slice x itself, x[start:stop]")


def all_reduce_mean(grads, sizes):
    total = sum(sizes)
    mean = []
    for v in range(len(grads[0])):  # one variable at a time
        mean.append(sum(g[v] * size for g, size in zip(grads, sizes)) / total)
    return mean


def check_all_reduce_mean(fn) -> str:
    rng = np.random.default_rng()
    r = int(rng.integers(3, 5))
    cases = [(r * int(rng.integers(3, 8)) + 1, r),  # uneven: the last shards are smaller
             (r * int(rng.integers(2, 6)), r), (int(rng.integers(3, 9)), 1)]  # even; one replica
    for n, replicas in cases:
        d = int(rng.integers(2, 6))
        x, y = rng.normal(size=(n, d)), rng.integers(0, 2, size=(n, 1)).astype(float)
        model = Logistic([rng.normal(size=(d, 1)), rng.normal(size=1)])
        _, want = model.gradients(x, y)  # the whole batch's gradient [dw (d, 1), db (1,)]
        blocks = np.array_split(np.arange(n), replicas)
        grads = [model.gradients(x[b], y[b])[1] for b in blocks]
        sizes = [len(b) for b in blocks]
        got = values(call(fn, grads, sizes), ["the kernel's gradient", "the bias's gradient"])
        mean = [sum(g[v] for g in grads) / replicas for v in range(2)]
        weighted = [sum(g[v] * s for g, s in zip(grads, sizes)) for v in range(2)]
        recognise(got, list(want), [
            ("that is the plain mean over the replicas: a smaller shard must count less, so weight each "
             "replica's gradient by its number of examples, sizes[r] / sum(sizes)", mean),
            ("divide the size-weighted sum by the number of examples, sum(sizes), not by the number of "
             "replicas", [g / replicas for g in weighted] if replicas > 1 else None),
            ("you summed the replicas' gradients: take their mean, weighted by sizes",
             [sum(g[v] for g in grads) for v in range(2)]),
        ])
        for v, name in enumerate(["the kernel's gradient", "the bias's gradient"]):
            compare(got[v], want[v], name, rtol=1e-4,
                    scales=[(n, "divide the size-weighted sum by the number of examples, sum(sizes)")])
    return "right on 3 batches, uneven, even and on 1 replica: it equals the whole batch's gradient"


EXERCISES = {
    "shard_batch": Exercise(
        "next", "split a global batch into `replicas` consecutive shards whose sizes differ by at most 1",
        shard_batch, "divmod(len(x), replicas) gives the base size and the remainder; the first `remainder` "
        "shards take one example more. Slice consecutive blocks x[start:stop].", check_shard_batch, imports=""),
    "all_reduce_mean": Exercise(
        "next", "the example-weighted mean of per-replica gradient lists: the whole batch's gradient",
        all_reduce_mean, "Each replica's gradient is a mean over its own shard. To get the mean over all "
        "examples, weight each by its shard's size and divide by sum(sizes); do it variable by variable.",
        check_all_reduce_mean, imports=""),
}
