"""Exercises of the demo lesson: a softmax that survives large logits, and one training step
written with tf.GradientTape. Truth: scipy.special.softmax, and the same step done with
GradientTape on a copy of the model."""

import numpy as np

from workshop.exercises.core import NONE, Exercise, Wrong, call, close, compare, number


def softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))  # minus the row max: exp() cannot overflow
    return e / e.sum(axis=1, keepdims=True)


def check_softmax(fn) -> str:
    from scipy.special import softmax as truth  # imported here: `import workshop.exercises` stays light

    rng = np.random.default_rng()
    n, k = int(rng.integers(5, 12)), int(rng.integers(3, 7))
    mixed = rng.normal(size=(n, k)) + np.where(np.arange(n) % 2, 1000.0, -1000.0)[:, None]
    cases = [(rng.normal(size=(n, k)) * 3, ""), (rng.normal(size=(k, k)) * 3, ""),  # square: axes can hide
             (rng.normal(size=(1, k)), ""),  # a batch of one
             (rng.normal(size=(n, k)) + 1000, "around 1000"), (mixed, "around +1000 and -1000")]
    for logits, large in cases:
        square = logits.shape[0] == logits.shape[1]
        mistakes = [(f"the result overflows for logits {large}: subtract the row maximum first "
                     "(a softmax does not change when a whole row is shifted)", _slip(logits, "none", 1) if large else None),
                    ("you subtracted one maximum for the whole batch: rows far below it underflow to 0 / 0; "
                     "subtract each row's own maximum, logits.max(axis=1, keepdims=True)",
                     _slip(logits, "all", 1) if large else None)]
        for shift in ("none", "rows"):  # the same slips, with and without the row max subtracted
            mistakes += [
                ("each column sums to 1 (axis=0): each row, one example, must: e.sum(axis=1, keepdims=True)",
                 _slip(logits, shift, 0)),
                ("you divided by the sum over the whole batch: each row must sum to 1, "
                 "e.sum(axis=1, keepdims=True)", _slip(logits, shift, None)),
                ("without keepdims=True the row sums (n,) line up with the columns: e.sum(axis=1, keepdims=True)",
                 _slip(logits, shift, "flat") if square else None)]
        got = call(fn, logits, advice=[("broadcast", "keep the summed axis: e.sum(axis=1, keepdims=True)")])
        compare(got, truth(logits, axis=1), "the softmax", mistakes=mistakes, rtol=1e-6,
                overflow=f"the result has nan or inf for logits {large}: subtract the row maximum first")
    return "right on 5 batches, including a batch of one and logits around +1000 and -1000"


def _slip(logits, shift, axis):
    """What a softmax with one slip returns: e = exp(logits - a max over `shift` ("none", "rows",
    "all")), divided by its sums over `axis` (1 is right; 0, None, or "flat": axis 1 without keepdims)."""
    with np.errstate(all="ignore"):
        top = {"none": 0.0, "rows": logits.max(axis=1, keepdims=True), "all": logits.max()}[shift]
        e = np.exp(logits - top)
        if axis == "flat":
            return e / e.sum(axis=1)
        return e / e.sum(axis=axis, keepdims=axis is not None)


def gradient_tape_step(model, x, y, learning_rate):
    from workshop.tf_env import tf, keras

    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    for v, g in zip(model.trainable_variables, grads):
        v.assign_sub(learning_rate * g)
    return float(loss)


def _tiny_model(weights):
    """Dense(3) on 4 inputs: logits for 3 classes. weights: [kernel (4, 3), bias (3,)]."""
    from workshop.tf_env import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.set_weights(weights)
    return model


def _reference_step(weights, x, y, learning_rate):
    """The step done right, on its own copy: (loss, weights after), and the losses typical slips return."""
    from workshop.tf_env import tf, keras

    ref = _tiny_model(weights)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    logits = ref(x)
    slips = {"probabilities": float(keras.losses.SparseCategoricalCrossentropy()(y, logits)),
             "sum": float(keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="sum")(y, logits))}
    with tf.GradientTape() as tape:
        loss = loss_fn(y, ref(x, training=True))
    for v, g in zip(ref.trainable_variables, tape.gradient(loss, ref.trainable_variables)):
        v.assign_sub(learning_rate * g)
    slips["after"] = float(loss_fn(y, ref(x)))
    return float(loss), [v.numpy() for v in ref.trainable_variables], slips


def check_gradient_tape_step(fn) -> str:
    rng = np.random.default_rng()
    for n in (int(rng.integers(6, 17)), 1):  # then a batch of one
        x, y = rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, 3, size=n).astype("int32")
        start = [rng.normal(size=(4, 3)).astype("float32"), rng.normal(size=3).astype("float32")]
        learning_rate = float(rng.choice([0.1, 0.3, 0.5]))
        want_loss, want, slips = _reference_step(start, x, y, learning_rate)
        model = _tiny_model(start)
        got = call(fn, model, x, y, learning_rate, fresh=False, advice=[
            ("NoneType", "tape.gradient gave None: compute the loss inside `with tf.GradientTape() as tape:`")])
        after = [v.numpy() for v in model.trainable_variables]
        moved = [not np.array_equal(a, s) for a, s in zip(after, start)]
        if got is None:
            raise Wrong(NONE + (" (the weights did change: return the loss too, float(loss))" if any(moved) else ""))
        loss = number(got, "the loss")
        if not close(loss, want_loss, 1e-4):
            why = {"probabilities": "the model outputs logits: SparseCategoricalCrossentropy(from_logits=True)",
                   "after": "you returned the loss after the step: return the one computed on the tape, before it",
                   "sum": f"the loss is {n} times too large: keep the default reduction, the mean over the batch"}
            known = [why[slip] for slip, value in slips.items() if close(loss, value, 1e-4)]
            raise Wrong(known[0] if known else f"the loss: expected {want_loss:.4g}, got {loss:.4g}")
        if not any(moved):
            raise Wrong("the weights did not change: v.assign_sub(learning_rate * g) for each variable "
                        "in model.trainable_variables")
        for v, a, s, w, m in zip(model.trainable_variables, after, start, want, moved):
            if not m:
                raise Wrong(f"the {v.name} did not change: update every variable in model.trainable_variables")
            compare(a - s, w - s, f"the change in the {v.name}", rtol=1e-3,
                    sign="the step goes downhill: v.assign_sub(learning_rate * g), not assign_add",
                    scales=[(1 / learning_rate, "multiply the gradient by learning_rate")])
    return "right on 2 steps of a Dense(3) model, the loss and every weight, including a batch of one"


EXERCISES = {
    "softmax": Exercise(
        "demo", "softmax probabilities (n, k) of logits (n, k), stable for logits around 1000",
        softmax, "exp(1000) is inf in float64. A softmax does not change when a whole row is shifted, so "
        "subtract each row's maximum first: e = np.exp(logits - logits.max(axis=1, keepdims=True)); "
        "then divide each row by its sum.", check_softmax),
    "gradient_tape_step": Exercise(
        "demo", "one plain SGD step on a Keras model with tf.GradientTape; return the loss",
        gradient_tape_step, "Inside `with tf.GradientTape() as tape:` compute the loss of model(x) against y; "
        "grads = tape.gradient(loss, model.trainable_variables); then v.assign_sub(learning_rate * g) "
        "for each (v, g) pair, and return float(loss).", check_gradient_tape_step, imports=""),
}
