"""The "your turn" checkers: the reference solutions pass, typical wrong answers fail with the
message that names their mistake, a None stub and a raising function get one line each, and
hint() / solution() print text that works."""

import subprocess
import sys

import numpy as np
import pytest

from workshop.errors import UsageError
from workshop.exercises import EXERCISES, check, hint, solution

TENSORFLOW = ("gradient_tape_step", "raw_train_step", "build_mlp", "train_and_log", "fit_with_tensorboard")
NUMPY_LEVEL = [name for name in EXERCISES if name not in TENSORFLOW]


def verdict(capsys, name, fn):
    """(passed, printed text) of check(name, fn), which prints its verdict and returns nothing."""
    assert check(name, fn) is None  # a notebook cell ending with check(...) shows no True or False
    out = capsys.readouterr().out
    return out.startswith("✓ "), out


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# ---- typical wrong answers, and a phrase of the message each must get ----

def perceptron(error_of, bias=True, rate=True, ge=False):
    """A perceptron step with one slip: error_of(y, y_pred, z) in place of y - y_pred, and so on."""
    def update(w, x, y, learning_rate):
        x1 = np.concatenate([[1.0], x])
        z = w @ x1
        y_pred = float(z >= 0 if ge else z > 0)
        step = (learning_rate if rate else 1) * error_of(y, y_pred, z) * x1
        return w + (step if bias else np.concatenate([[0.0], step[1:]]))
    return update


def perceptron_in_place(w, x, y, learning_rate):
    x1 = np.concatenate([[1.0], x])
    w += learning_rate * (y - float(w @ x1 > 0)) * x1


def perceptron_bias_last(w, x, y, learning_rate):
    x1 = np.concatenate([x, [1.0]])
    return w + learning_rate * (y - float(w @ x1 > 0)) * x1


def logistic(dz_of, shape_dw=None, db_sum=True, extra=False):
    """Logistic gradients with one slip: dz_of(p, y, z, n) in place of (p - y) / n, and so on."""
    def gradients(x, y, w, b):
        z = x @ w + b
        p = sigmoid(z)
        dz = dz_of(p, y, z, len(x))
        dw = x.T @ dz
        db = dz.sum(axis=0) if db_sum else float(dz.sum())
        dw = dw.reshape(shape_dw(dw)) if shape_dw else dw
        return (0.5, dw, db) if extra else (dw, db)
    return gradients


def logistic_db_sign(x, y, w, b):
    dz = (sigmoid(x @ w + b) - y) / len(x)
    return x.T @ dz, -dz.sum(axis=0)


def backprop(relu_slope=True, mean=True, stable=True, sign=1, reorder=False):
    def gradients(x, y, w1, b1, w2, b2):
        h = np.maximum(x @ w1 + b1, 0)
        logits = h @ w2 + b2
        if stable:
            p = softmax_rows(logits)
        else:
            p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        delta = sign * (p - np.eye(w2.shape[1])[y]) / (len(y) if mean else 1)
        dh = delta @ w2.T * ((h > 0) if relu_slope else 1)
        grads = x.T @ dh, dh.sum(axis=0), h.T @ delta, delta.sum(axis=0)
        return (grads[2], grads[3], grads[0], grads[1]) if reorder else grads
    return gradients


def correlate(flip=False, short=False, transpose=False):
    def correlate2d(image, kernel):
        k = kernel[::-1, ::-1] if flip else kernel
        kh, kw = k.shape
        rows, cols = image.shape[0] - kh + (0 if short else 1), image.shape[1] - kw + (0 if short else 1)
        out = np.array([[np.sum(image[i:i + kh, j:j + kw] * k) for j in range(cols)] for i in range(rows)])
        return out.T if transpose else out
    return correlate2d


def correlate_same(image, kernel):
    from scipy import signal
    return signal.correlate2d(image, kernel, mode="same")


def softmax_naive(logits):
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def softmax_axis0(logits):
    e = np.exp(logits - logits.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_global_max(logits):
    e = np.exp(logits - logits.max())
    return e / e.sum(axis=1, keepdims=True)


def softmax_no_keepdims(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1)


def softmax_whole_sum(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum()


def shard_interleaved(x, replicas):
    return [x[i::replicas] for i in range(replicas)]


def shard_drop_remainder(x, replicas):
    size = len(x) // replicas
    return [x[i * size:(i + 1) * size] for i in range(replicas)]


def shard_np_split(x, replicas):
    return np.split(x, replicas)


def shard_last_takes_rest(x, replicas):
    size = len(x) // replicas
    return [x[i * size:(i + 1) * size] for i in range(replicas - 1)] + [x[(replicas - 1) * size:]]


def reduce(weighted=True, divide_by="examples"):
    def all_reduce_mean(grads, sizes):
        weights = sizes if weighted else [1] * len(sizes)
        total = {"examples": sum(weights), "replicas": len(sizes), "nothing": 1}[divide_by]
        return [sum(g[v] * s for g, s in zip(grads, weights)) / total for v in range(len(grads[0]))]
    return all_reduce_mean


def rate(transform):
    """stable_learning_rate from the eigenvalues (low, high) of the right Hessian, or of a wrong one."""
    def stable_learning_rate(x):
        n = len(x)
        h = (2 / n) * np.array([[np.sum(x * x), np.sum(x)], [np.sum(x), n]])
        return transform(h, n, np.linalg.eigvalsh(h))
    return stable_learning_rate


def diagnose_without_nan_check(losses):
    first, last = losses[0], losses[-1]
    if last > 2 * first:
        return "diverged"
    return "stalled" if abs(last - first) < 0.05 * first else "learning"


def diagnose_monotonic(losses):
    losses = np.asarray(losses)
    if not np.all(np.isfinite(losses)) or losses[-1] > 2 * losses[0]:
        return "diverged"
    if abs(losses[-1] - losses[0]) < 0.05 * losses[0]:
        return "stalled"
    return "learning" if np.all(np.diff(losses) <= 0) else "diverged"


def diagnose_absolute(losses):
    losses = np.asarray(losses)
    if not np.all(np.isfinite(losses)) or losses[-1] > 2 * losses[0]:
        return "diverged"
    return "stalled" if abs(losses[-1] - losses[0]) < 0.05 else "learning"


def table_best(column, how="idxmax"):
    return lambda table: getattr(table[column], how)()


WRONG = {
    "node_output": [
        (lambda x, w, b: x @ w + b, "pass it through the sigmoid"),
        (lambda x, w, b: sigmoid(x @ w), "the bias b is missing"),
        (lambda x, w, b: 1 / (1 + np.exp(x @ w + b)), "the exponent is -z"),
        (lambda x, w, b: np.exp(x @ w + b) / (1 + np.exp(x @ w + b)), "nan or inf for large z"),
        (lambda x, w, b: sigmoid(x @ w + b)[:, None], "one axis too many"),
    ],
    "count_parameters": [
        (lambda sizes: sum(a * b for a, b in zip(sizes, sizes[1:])), "you counted the weights only"),
        (lambda sizes: sum(a * b for a, b in zip(sizes, sizes[1:])) + sum(sizes), "the input layer has no biases"),
        (lambda sizes: float(sum(a * b + b for a, b in zip(sizes, sizes[1:]))), "return an int"),
    ],
    "perceptron_update": [
        (perceptron(lambda y, y_pred, z: y_pred - y), "w moved the wrong way"),
        (perceptron(lambda y, y_pred, z: y - y_pred, bias=False), "the bias w[0] did not move"),
        (perceptron(lambda y, y_pred, z: y - y_pred, rate=False), "the step is missing learning_rate"),
        (perceptron(lambda y, y_pred, z: y - z), "you used z = w . [1, x] where the prediction belongs"),
        (perceptron(lambda y, y_pred, z: y - y_pred, ge=True), "use z > 0, not z >= 0"),
        (perceptron_bias_last, "not w[-1]"),
        (perceptron_in_place, "returns None, though it changed w in place: end with `return w`"),
    ],
    "logistic_gradients": [
        (logistic(lambda p, y, z, n: p - y), "times too large: use the mean over the batch, not the sum"),
        (logistic(lambda p, y, z, n: (y - p) / n), "dw (the weights) has the right shape but the wrong sign"),
        (logistic_db_sign, "db (the bias term) has the right shape but the wrong sign"),
        (logistic(lambda p, y, z, n: (z - y) / n), "where the probability p = sigmoid(z) belongs"),
        (logistic(lambda p, y, z, n: (p - y) * p * (1 - p) / n), "the sigmoid's slope"),
        (logistic(lambda p, y, z, n: (p - y) / n, shape_dw=lambda dw: dw.shape[0]), "an axis of size 1 is missing"),
        (logistic(lambda p, y, z, n: (p - y) / n, shape_dw=lambda dw: dw.shape[::-1]), "(transposed)"),
        (logistic(lambda p, y, z, n: (p - y) / n, db_sum=False), "one number where an array belongs"),
        (logistic(lambda p, y, z, n: (p - y) / n, extra=True), "leave the loss out"),
    ],
    "hidden_layer_backprop": [
        (backprop(relu_slope=False), "the ReLU's slope is missing"),
        (backprop(mean=False), "times too large: use the mean over the batch, not the sum"),
        (backprop(stable=False), "for logits around 1000: subtract each row's maximum"),
        (backprop(sign=-1), "has the right shape but the wrong sign"),
        (backprop(reorder=True), "the order is (dw1, db1, dw2, db2)"),
    ],
    "correlate2d": [
        (correlate(flip=True), "that is convolution"),
        (correlate(short=True), "one row and column short"),
        (correlate_same, "'valid' keeps only the positions where the whole kernel fits"),
        (correlate(transpose=True), "(transposed)"),
    ],
    "sensitivity_specificity": [
        (lambda c: (c[1, 1] / (c[1, 1] + c[1, 0]), c[0, 0] / (c[0, 0] + c[0, 1])), "are swapped"),
        (lambda c: (c[0, 0] / (c[0, 0] + c[1, 0]), c[1, 1] / (c[1, 1] + c[0, 1])), "you read the table by columns"),
        (lambda c: (c[0, 0] / (c[0, 0] + c[1, 0]), c[1, 1] / (c[1, 1] + c[1, 0])), "is the precision"),
        (lambda c: (c[0, 0] / (c[0, 0] + c[0, 1]), c[1, 0] / (c[1, 0] + c[1, 1])), "the false positive rate"),
        (lambda c: (100 * c[0, 0] / c[0].sum(), 100 * c[1, 1] / c[1].sum()), "not percentages"),
    ],
    "best_run": [
        (table_best("test_accuracy"), "you chose by test_accuracy: the test split must never choose"),
        (table_best("val_accuracy", "idxmin"), "the worst run"),
        (lambda table: int(np.argmax(table["val_accuracy"].to_numpy())), "you returned the position"),
        (lambda table: table.loc[table["val_accuracy"].idxmax()], "you returned the whole row"),
        (lambda table: table.index[0], "this table is not sorted"),
        (lambda table: table["val_accuracy"].max(), "the best val_accuracy itself"),
    ],
    "softmax": [
        (softmax_naive, "the result overflows for logits around 1000: subtract the row maximum first"),
        (softmax_axis0, "each column sums to 1"),
        (softmax_global_max, "one maximum for the whole batch"),
        (softmax_no_keepdims, "keepdims=True"),
        (softmax_whole_sum, "the sum over the whole batch"),
    ],
    "shard_batch": [
        (shard_interleaved, "interleaved"),
        (shard_drop_remainder, "are lost"),
        (shard_np_split, "np.array_split allows an uneven batch"),
        (shard_last_takes_rest, "differ by more than 1"),
    ],
    "all_reduce_mean": [
        (reduce(weighted=False, divide_by="replicas"), "the plain mean over the replicas"),
        (reduce(divide_by="replicas"), "not by the number of replicas"),
        (reduce(divide_by="nothing"), "times too large: divide the size-weighted sum by the number of examples"),
        (reduce(weighted=False, divide_by="nothing"), "you summed the replicas' gradients"),
    ],
    "stable_learning_rate": [
        (rate(lambda h, n, eig: 1 / eig.max()), "not 1 / λmax"),
        (rate(lambda h, n, eig: eig.max()), "the largest eigenvalue itself"),
        (rate(lambda h, n, eig: 2 / eig.min()), "the smallest eigenvalue"),
        (rate(lambda h, n, eig: 2 / h[0, 0]), "the off-diagonal Σx matters"),
        (rate(lambda h, n, eig: 2 / np.linalg.eigvalsh(h * n / 2).max()), "lacks the factor 2/n"),
        (rate(lambda h, n, eig: eig), "should be one number"),
    ],
    "diagnose": [
        (diagnose_without_nan_check, "a nan loss means 'diverged'"),
        (diagnose_monotonic, "goes up now and then"),
        (diagnose_absolute, "not by an absolute amount"),
        (lambda losses: "learning", "barely moves"),
        (lambda losses: "Diverged", "answer one of 'diverged', 'stalled', 'learning'"),
    ],
}

CASES = [pytest.param(name, fn, phrase, id=f"{name}-{i}")
         for name, wrongs in WRONG.items() for i, (fn, phrase) in enumerate(wrongs)]


def test_every_numpy_exercise_has_wrong_answers():
    assert sorted(WRONG) == sorted(NUMPY_LEVEL)
    assert all(len(wrongs) >= 2 for wrongs in WRONG.values())


@pytest.mark.parametrize("name", NUMPY_LEVEL)
def test_reference_solution_passes(capsys, name):
    for _ in range(20):  # fresh random inputs every call: the truth must agree with them all
        passed, out = verdict(capsys, name, EXERCISES[name].solution)
        assert passed, out
        assert out.startswith(f"✓ {name}: right on")


@pytest.mark.parametrize("name, fn, phrase", CASES)
def test_wrong_answer_gets_its_targeted_message(capsys, name, fn, phrase):
    for _ in range(5):  # the diagnosis must not depend on the random draw
        passed, out = verdict(capsys, name, fn)
        assert not passed
        assert out.startswith("✗ ") and phrase in out, out
        assert len(out.strip().splitlines()) <= 2 and "Traceback" not in out


def stub(*args):
    """What a lesson hands out: a docstring, and `return None  # your code here`."""
    return None  # your code here


def stub_pass(*args):
    pass


@pytest.mark.parametrize("name", list(EXERCISES))
def test_a_function_not_written_yet_gets_one_neutral_line(capsys, name):
    for fn in (stub, stub_pass, lambda *args: None):
        passed, out = verdict(capsys, name, fn)
        assert not passed
        assert out == f"{name}: your turn — not written yet\n"  # no ✗: nothing failed


@pytest.mark.parametrize("name", NUMPY_LEVEL)
def test_code_that_returns_none_says_so(capsys, name):
    def forgot_return(*args):
        result = len(args)  # noqa: F841 - work done, nothing returned
    passed, out = verdict(capsys, name, forgot_return)
    assert not passed
    assert out == "✗ returns None: write your code where it says `your code here`, and `return` the result\n"


@pytest.mark.parametrize("name", NUMPY_LEVEL)
def test_function_that_raises_gets_one_line(capsys, name):
    def broken(*args):
        raise ValueError("something is off\nsecond line of detail")

    passed, out = verdict(capsys, name, broken)
    assert not passed
    assert out == "✗ your function raised ValueError: something is off\n"


def test_wrong_signature_is_one_line(capsys):
    passed, out = verdict(capsys, "softmax", lambda: 1)
    assert not passed and out.startswith("✗ your function raised TypeError") and len(out.splitlines()) == 1


def test_advice_follows_a_known_exception(capsys):
    passed, out = verdict(capsys, "shard_batch", shard_np_split)
    assert out.splitlines() == ["✗ your function raised ValueError: array split does not result in an equal division",
                                "  np.split needs equal parts: np.array_split allows an uneven batch"]


def test_inputs_are_fresh_and_include_the_edge_cases(capsys):
    seen = []

    def spy(logits):
        seen.append(logits.copy())
        return EXERCISES["softmax"].solution(logits)

    check("softmax", spy)
    check("softmax", spy)
    first, second = seen[:5], seen[5:]
    assert len(first) == len(second) == 5
    assert not np.array_equal(first[0], second[0])  # a new seed each call
    assert any(len(z) == 1 for z in first)  # a batch of one
    assert any(z.max() > 900 for z in first) and any(z.min() < -900 for z in first)  # large logits

    batches = []
    check("shard_batch", lambda x, replicas: batches.append((len(x), replicas)) or np.array_split(x, replicas))
    assert any(n % 2 == 1 and r == 2 for n, r in batches)  # an odd batch on two replicas
    assert (1 in [r for _, r in batches]) and any(n % r for n, r in batches)


def test_a_mutated_input_cannot_fool_the_checker(capsys):
    """The learner's function gets copies: zeroing its inputs cannot change the truth it is checked against."""
    def vandal(logits):
        out = EXERCISES["softmax"].solution(logits)
        logits[:] = 0
        return out

    passed, out = verdict(capsys, "softmax", vandal)
    assert passed, out


def test_not_a_function(capsys):
    passed, out = verdict(capsys, "softmax", np.zeros((2, 2)))
    assert not passed and out.startswith("✗ pass the function itself")


@pytest.mark.parametrize("name", list(EXERCISES))
def test_hint_and_solution_print_working_text(capsys, name):
    hint(name)
    assert len(capsys.readouterr().out.strip()) > 20
    solution(name)
    source = capsys.readouterr().out
    assert f"def {name}(" in source
    namespace = {}
    exec(compile(source, f"<solution {name}>", "exec"), namespace)  # what a learner would paste
    if name not in TENSORFLOW:  # those are run below, with the other TensorFlow checks
        passed, out = verdict(capsys, name, namespace[name])
        assert passed, out


def test_exercise_records():
    lessons = {"presentation", "introduction", "studio", "demo", "next", "qa", "levels-linear", "levels-logistic",
               "levels-mlp"}
    assert {ex.lesson for ex in EXERCISES.values()} == lessons
    assert len(EXERCISES) == 18
    for name, ex in EXERCISES.items():
        assert ex.solution.__name__ == name and ex.task and "\n" not in ex.task


def test_unknown_name_lists_the_valid_ones():
    for call in (lambda: check("sofmax", print), lambda: hint("sofmax"), lambda: solution("sofmax")):
        with pytest.raises(UsageError, match="no exercise 'sofmax'.*best_run.*softmax"):
            call()


def test_import_is_light():
    code = ("import sys; from workshop.exercises import check; "
            "print(sorted(m for m in ('tensorflow', 'keras', 'pandas', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ---- gradient_tape_step: TensorFlow, a few seconds in all ----

def tape_step(from_logits=True, sign=1.0, rate=True, skip_bias=False, loss_after=False, return_loss=True,
              outside=False):
    """gradient_tape_step with one slip."""
    def gradient_tape_step(model, x, y, learning_rate):
        from workshop.tf_env import tf, keras
        loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)
        if outside:
            loss = loss_fn(y, model(x))
        with tf.GradientTape() as tape:
            if not outside:
                loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        for v, g in zip(model.trainable_variables, grads):
            if not (skip_bias and v.name == "bias"):
                v.assign_sub(sign * (learning_rate if rate else 1.0) * g)
        if loss_after:
            loss = loss_fn(y, model(x))
        return float(loss) if return_loss else None
    return gradient_tape_step


TAPE_WRONG = [
    (tape_step(from_logits=False), "SparseCategoricalCrossentropy(from_logits=True)"),
    (tape_step(sign=-1.0), "the change in the kernel has the right shape but the wrong sign: the step goes downhill"),
    (tape_step(rate=False), "multiply the gradient by learning_rate"),
    (tape_step(skip_bias=True), "the bias did not change"),
    (tape_step(loss_after=True), "you returned the loss after the step"),
    (tape_step(return_loss=False), "the weights did change: return the loss too"),
    (tape_step(outside=True), "compute the loss inside `with tf.GradientTape() as tape:`"),
    (lambda model, x, y, learning_rate: EXERCISES["gradient_tape_step"].solution(model, x, y, 0.0),
     "the weights did not change"),
]


def test_gradient_tape_step(capsys):
    name = "gradient_tape_step"
    for _ in range(3):
        passed, out = verdict(capsys, name, EXERCISES[name].solution)
        assert passed, out
    solution(name)
    namespace = {}
    exec(capsys.readouterr().out, namespace)
    assert verdict(capsys, name, namespace[name])[0]
    for fn, phrase in TAPE_WRONG:
        passed, out = verdict(capsys, name, fn)
        assert not passed and out.startswith("✗ ") and phrase in out, out
        assert len(out.strip().splitlines()) <= 2
    passed, out = verdict(capsys, name, lambda *args: 1 / 0)
    assert out == "✗ your function raised ZeroDivisionError: division by zero\n"
