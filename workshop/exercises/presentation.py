"""Exercises of the presentation lesson: one node's output, and how many numbers a dense
network learns. Truth: the package's sigmoid (algorithms/logistic_numpy.py) and its layer
shapes (algorithms/shapes.py)."""

import numpy as np

from workshop.algorithms.logistic_numpy import sigmoid
from workshop.algorithms.shapes import kernel_shapes
from workshop.exercises.core import NONE, Exercise, Wrong, call, compare


def node_output(x, w, b):
    z = x @ w + b
    return 1 / (1 + np.exp(-z))


def check_node_output(fn) -> str:
    rng = np.random.default_rng()
    cases = [(int(rng.integers(5, 12)), int(rng.integers(2, 6)), 0.0),
             (1, 3, 0.0),  # a batch of one
             (int(rng.integers(5, 12)), 4, 1000.0), (int(rng.integers(5, 12)), 4, -1000.0)]  # z around ±1000
    for n, d, offset in cases:
        x = rng.normal(size=(n, d))
        w, b = rng.normal(size=d), float(rng.normal()) + offset
        z = x @ w + b
        got = call(fn, x, w, b)
        compare(got, sigmoid(z), "the output", mistakes=[
            ("you returned z = x @ w + b: pass it through the sigmoid, 1 / (1 + np.exp(-z))", z),
            ("the bias b is missing: z = x @ w + b", sigmoid(x @ w)),
            ("you computed 1 / (1 + e^z): the exponent is -z", sigmoid(-z)),
            ("that is tanh: the node's activation here is the sigmoid, 1 / (1 + np.exp(-z))", np.tanh(z)),
            ("that is ReLU: the node's activation here is the sigmoid, 1 / (1 + np.exp(-z))", np.maximum(z, 0)),
        ], overflow="the output has nan or inf for large z (around 1000): 1 / (1 + np.exp(-z)) is safe there, "
                 "e^z / (1 + e^z) is not")
    return "right on 4 random batches, including a batch of one and z around +1000 and -1000"


def count_parameters(sizes):
    total = 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        total += n_in * n_out + n_out  # weights, then one bias per output unit
    return total


def check_count_parameters(fn) -> str:
    rng = np.random.default_rng()
    cases = [[64, 32, 10], [int(rng.integers(2, 50)), int(rng.integers(2, 50))],  # one layer
             [int(s) for s in rng.integers(2, 100, size=int(rng.integers(3, 6)))]]
    for sizes in cases:
        shapes = kernel_shapes("mlp", (sizes[0],), sizes[-1], tuple(sizes[1:-1]))
        want = sum(int(np.prod(s)) + s[-1] for s in shapes)
        weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        got = call(fn, list(sizes))
        if got is None:
            raise Wrong(NONE)
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer)):
            raise Wrong(f"return an int, got {type(got).__name__} {got!r}"[:120])
        if got == want:
            continue
        mistakes = [
            (weights, "you counted the weights only: each layer also has one bias per output unit"),
            (weights + sum(sizes), "the input layer has no biases: only the layers after it (sizes[1:]) do"),
            (weights + sum(sizes[:-1]), "one bias per output unit (n_out), not per input"),
            (sum(sizes), "that is the number of units: count the connections (n_in * n_out) and the biases"),
            (int(np.prod(sizes)), "the sizes do not all multiply together: each layer has n_in * n_out "
                                  "weights and n_out biases, and the layers add up"),
        ]
        why = [message for value, message in mistakes if value == got]
        raise Wrong(f"sizes {sizes}: expected {want}, got {got}: "
                    + (why or ["each dense layer has n_in * n_out weights and n_out biases"])[0])
    return "right on 3 networks, including a single layer"


EXERCISES = {
    "node_output": Exercise(
        "presentation", "sigmoid(x @ w + b): the output of one node for a batch x (n, d) -> (n,)",
        node_output, "Weighted sum first, z = x @ w + b (shape (n,)); then squash it: 1 / (1 + np.exp(-z)).",
        check_node_output),
    "count_parameters": Exercise(
        "presentation", "the number of weights and biases of dense layers of sizes like [64, 32, 10]",
        count_parameters, "Walk over consecutive pairs, zip(sizes[:-1], sizes[1:]): a layer from n_in to "
        "n_out units has n_in * n_out weights and n_out biases.", check_count_parameters, imports=""),
}
