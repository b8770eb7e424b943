"""Exercises of the introduction lesson, part 1: how a neuron learns. Truth: the package's
own perceptron (algorithms/perceptron_numpy.py), logistic neuron (logistic_numpy.py) and
MLP backpropagation (mlp_numpy.py), which the tests check against tf.GradientTape."""

import numpy as np

from workshop.algorithms.logistic_numpy import Logistic, sigmoid
from workshop.algorithms.mlp_numpy import MLP
from workshop.algorithms.perceptron_numpy import Perceptron
from workshop.exercises.core import NONE, Exercise, Wrong, array, call, close, compare, order, recognise, values

RTOL = 1e-3  # the package computes in float32


def perceptron_update(w, x, y, learning_rate):
    x1 = np.concatenate([[1.0], x])  # the bias's input is always 1
    y_pred = 1.0 if w @ x1 > 0 else 0.0
    return w + learning_rate * (y - y_pred) * x1


def check_perceptron_update(fn) -> str:
    rng = np.random.default_rng()
    d = int(rng.integers(2, 6))
    cases = []
    for wrong_side in (True, True, False):  # misclassified twice (one each way, random), then right
        w, x = rng.normal(size=1 + d), rng.normal(size=d)
        while abs(w[0] + w[1:] @ x) < 0.5:  # clear of the threshold: each slip then gives its own w
            w = rng.normal(size=1 + d)
        y_pred = float(w[0] + w[1:] @ x > 0)
        cases.append((w, x, 1.0 - y_pred if wrong_side else y_pred))
    if cases[0][2] == cases[1][2]:  # both mistakes ways: a wrong sign must show up either way
        w, x, y = cases[1]
        cases[1] = (-w, x, 1.0 - y)
    cases += [(np.zeros(1 + d), rng.normal(size=d), 1.0),  # z = 0 exactly: step says 0
              (np.zeros(1 + d), rng.normal(size=d), 0.0)]
    for w, x, y in cases:
        learning_rate = float(rng.choice([0.1, 0.25, 0.5]))
        model = Perceptron([w[1:, None], w[:1]])
        model.train_epoch(x[None], np.array([y]), learning_rate)
        want = model.w.astype(float)
        w_in = w.copy()
        got = call(fn, w_in, x.copy(), y, learning_rate, fresh=False)
        if got is None:
            changed = not np.array_equal(w_in, w)
            raise Wrong("returns None, though it changed w in place: end with `return w` (or build a new "
                        "array, w + ..., and return that)" if changed else NONE)
        _diagnose_perceptron(got, want, w, x, y, learning_rate)
    return "right on 5 examples: misclassified either way, already right, and z = 0 exactly"


def _diagnose_perceptron(got, want, w, x, y, learning_rate):
    x1 = np.concatenate([[1.0], x])
    z = w @ x1
    y_pred = float(z > 0)
    error = y - y_pred
    step = learning_rate * error * x1
    z_last = w[:-1] @ x + w[-1]  # bias last
    error_last = y - float(z_last > 0)
    mistakes = [
        ("w moved the wrong way: error = y - y_pred (the target minus the prediction)", w - step),
        ("the bias w[0] did not move: its input is always 1, so it changes by learning_rate * error too",
         np.concatenate([w[:1], w[1:] + step[1:]])),
        ("the step is missing learning_rate: w + learning_rate * (y - y_pred) * [1, x]", w + error * x1),
        ("you returned the change: return the new w, w + learning_rate * (y - y_pred) * [1, x]", step),
        ("you used z = w . [1, x] where the prediction belongs: y_pred = 1 if z > 0 else 0",
         w + learning_rate * (y - z) * x1),
        ("the bias is w[0], the first entry (its input, 1, comes first), not w[-1]",
         w + learning_rate * error_last * np.concatenate([x, [1.0]])),
    ]
    if z == 0:  # at exactly 0 the threshold unit says 0 (start from zero weights and you meet it)
        mistakes.insert(0, ("for w . [1, x] = 0 exactly (e.g. zero weights) the perceptron says 0: "
                            "use z > 0, not z >= 0", w + learning_rate * (y - 1.0) * x1))
    got = array(got, "the new w")
    if close(got, want, RTOL):
        return
    recognise(got, want, mistakes, RTOL)
    if got.shape == w.shape and error == 0:
        raise Wrong("w changed although the example was already classified right (y_pred == y): "
                    "the rule moves w only on a mistake")
    if got.shape == w.shape and close(got, w, RTOL):
        raise Wrong(f"w did not change, but the example was misclassified (y = {y:g}, y_pred = {y_pred:g}): "
                    "w + learning_rate * (y - y_pred) * [1, x]")
    compare(got, want, "the new w", mistakes=mistakes, rtol=RTOL)


def logistic_gradients(x, y, w, b):
    z = x @ w + b
    p = 1 / (1 + np.exp(-z))  # the predicted probabilities, (n, 1)
    dz = (p - y) / len(x)  # d loss / d z: the mean over the batch
    return x.T @ dz, dz.sum(axis=0)


def check_logistic_gradients(fn) -> str:
    rng = np.random.default_rng()
    cases = [(int(rng.integers(20, 80)), int(rng.integers(2, 7)), 1.0),
             (1, int(rng.integers(2, 7)), 1.0),  # a batch of one
             (int(rng.integers(5, 30)), 3, 200.0)]  # large logits: p saturates at 0 and 1
    for n, d, scale in cases:
        x, y = rng.normal(size=(n, d)), rng.integers(0, 2, size=(n, 1)).astype(float)
        w, b = rng.normal(size=(d, 1)) * scale, rng.normal(size=1)
        _, want = Logistic([w, b]).gradients(x, y)
        got = call(fn, x, y, w, b)
        if isinstance(got, (tuple, list)) and len(got) == 3 and np.size(got[0]) == 1:
            raise Wrong("return two arrays (dw, db), got 3 values: leave the loss out")
        dw, db = values(got, ["dw", "db"])
        z = x @ w + b
        p = sigmoid(z)

        def grads(dz):
            return [x.T @ dz, dz.sum(axis=0)]

        mistakes = [
            ("you used z = x @ w + b where the probability p = sigmoid(z) belongs: dL/dz = (p - y) / n",
             grads((z - y) / n)),
            ("you multiplied by the sigmoid's slope p (1 - p): with cross-entropy it cancels, dL/dz = (p - y) / n",
             grads((p - y) * p * (1 - p) / n)),
            ("the bias b is missing from z = x @ w + b", grads((sigmoid(x @ w) - y) / n)),
        ]
        recognise([dw, db], list(want), mistakes, RTOL)
        order([dw, db], want, ["dw", "db"])
        for i, (got_i, name) in enumerate([(dw, "dw (the weights)"), (db, "db (the bias term)")]):
            compare(got_i, want[i], name, rtol=RTOL,
                    sign="d loss / d z is (p - y) / n, not (y - p) / n",
                    scales=[(n, "use the mean over the batch, not the sum (divide by n = len(x))")])
    return "right on 3 random batches, including a batch of one and large logits"


def hidden_layer_backprop(x, y, w1, b1, w2, b2):
    h = np.maximum(x @ w1 + b1, 0)  # the hidden layer, after ReLU
    logits = h @ w2 + b2
    e = np.exp(logits - logits.max(axis=1, keepdims=True))  # minus the row max: no overflow
    p = e / e.sum(axis=1, keepdims=True)
    delta = p.copy()
    delta[np.arange(len(y)), y] -= 1  # d loss / d logits = (p - onehot(y)) / n
    delta /= len(y)
    dw2, db2 = h.T @ delta, delta.sum(axis=0)
    dh = (delta @ w2.T) * (h > 0)  # back through w2, then through the ReLU
    dw1, db1 = x.T @ dh, dh.sum(axis=0)
    return dw1, db1, dw2, db2


NAMES = ["dw1", "db1", "dw2", "db2"]


def check_hidden_layer_backprop(fn) -> str:
    rng = np.random.default_rng()
    cases = [(int(rng.integers(20, 60)), 0.0), (1, 0.0),  # a batch of one
             (int(rng.integers(5, 20)), 1000.0)]  # logits around 1000
    for n, offset in cases:
        d, hidden, k = int(rng.integers(3, 7)), int(rng.integers(4, 9)), int(rng.integers(3, 6))
        x, y = rng.normal(size=(n, d)), rng.integers(0, k, size=n)
        w1, b1 = rng.normal(size=(d, hidden)), rng.normal(size=hidden) * 0.5
        w2, b2 = rng.normal(size=(hidden, k)), rng.normal(size=k) + offset
        _, want = MLP([w1, b1, w2, b2]).gradients(x, y)
        got = values(call(fn, x, y, w1, b1, w2, b2, advice=[
            ("matmul", "check each product's shapes: going back, delta (n, k) @ w2.T (k, h) -> (n, h)")]), NAMES)
        recognise(got, list(want), _backprop_mistakes(x, y, w1, b1, w2, b2), RTOL)
        order(got, want, NAMES)
        for i, name in enumerate(NAMES):
            compare(got[i], want[i], name, rtol=RTOL,
                    sign="d loss / d logits is (p - onehot(y)) / n, not (onehot(y) - p) / n",
                    scales=[(n, "use the mean over the batch, not the sum (divide by n = len(y))")],
                    overflow=f"{name} has nan or inf for logits around {offset:g}: "
                             "subtract each row's maximum from the logits before exp()")
    return "right on 3 random batches, including a batch of one and logits around 1000"


def _backprop_mistakes(x, y, w1, b1, w2, b2):
    """(message, the four gradients that mistake gives), for the typical slips."""
    n = len(y)
    z1 = x @ w1 + b1
    h = np.maximum(z1, 0)
    logits = h @ w2 + b2
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    onehot = np.eye(w2.shape[1])[y]

    def backward(delta, relu_slope=True, h_for_w2=h):
        dh = delta @ w2.T * ((h > 0) if relu_slope else 1)
        return [x.T @ dh, dh.sum(axis=0), h_for_w2.T @ delta, delta.sum(axis=0)]

    delta = (e / e.sum(axis=1, keepdims=True) - onehot) / n
    return [
        ("the ReLU's slope is missing on the way back: multiply delta @ w2.T by (h > 0)",
         backward(delta, relu_slope=False)),
        ("dw2 needs the hidden layer's output after the ReLU, h = max(x @ w1 + b1, 0), not before it",
         backward(delta, h_for_w2=z1)),
        ("you used the logits where the softmax probabilities p belong: delta = (p - onehot(y)) / n",
         backward((logits - onehot) / n)),
    ]


EXERCISES = {
    "perceptron_update": Exercise(
        "introduction", "one step of the perceptron rule on one example: the new w (bias first)",
        perceptron_update, "Put a 1 in front of x for the bias, predict y_pred = 1 if w . [1, x] > 0 else 0, then "
        "w + learning_rate * (y - y_pred) * [1, x]: no change when the prediction is right.",
        check_perceptron_update),
    "logistic_gradients": Exercise(
        "introduction", "dw (d, 1) and db (1,) of the mean binary cross-entropy of sigmoid(x @ w + b)",
        logistic_gradients, "The chain rule collapses to dL/dz = (p - y) / n with p = sigmoid(z); then "
        "dw = x.T @ dL/dz and db = dL/dz summed over the batch (axis=0).", check_logistic_gradients),
    "hidden_layer_backprop": Exercise(
        "introduction", "dw1, db1, dw2, db2 of a ReLU hidden layer under mean softmax cross-entropy",
        hidden_layer_backprop, "Forward: h = relu(x @ w1 + b1), logits = h @ w2 + b2, p = softmax(logits). "
        "Backward: delta = (p - onehot(y)) / n; dw2 = h.T @ delta; then delta @ w2.T, times (h > 0), "
        "plays the same part for layer 1.", check_hidden_layer_backprop),
}
