"""The levels lessons' exercises, where the learner writes TensorFlow and Keras: the reference
solutions pass, each typical wrong answer gets the message that names its mistake, in one or two
lines (each check trains for a moment: about a second each, the Keras MLP's five epochs about four)."""

import numpy as np
import pytest

from workshop.exercises import EXERCISES, check, solution

LEVELS = ("raw_train_step", "build_mlp", "train_and_log", "fit_with_tensorboard")


def verdict(capsys, name, fn):
    assert check(name, fn) is None
    out = capsys.readouterr().out
    return out.startswith("✓ "), out


# ---- raw_train_step: slips ----

def raw_step(sign=1.0, rate=True, reduce="mean", softmax=False, rebind=False, kernels_only=False, loss_after=False,
             outside=False):
    def raw_train_step(model, x, y, learning_rate):
        from workshop.tf_env import tf

        def loss_of(y_pred):
            if softmax:
                y_pred = tf.nn.softmax(y_pred)
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=y_pred)
            return tf.reduce_sum(losses) if reduce == "sum" else tf.reduce_mean(losses)
        if outside:
            loss = loss_of(model(x))
        with tf.GradientTape() as tape:
            if not outside:
                loss = loss_of(model(x))
        grads = tape.gradient(loss, model.params)
        for i, (w, g) in enumerate(zip(model.params, grads)):
            if kernels_only and i % 2:
                continue
            if rebind:
                w = w - learning_rate * g  # noqa: F841 - the slip: a new tensor, the variable untouched
            else:
                w.assign_sub(sign * (learning_rate if rate else 1.0) * g)
        return loss_of(model(x)) if loss_after else loss
    return raw_train_step


RAW_WRONG = [
    (raw_step(sign=-1.0), "the wrong sign: the step goes downhill: w.assign_sub(learning_rate * g), not assign_add"),
    (raw_step(rate=False), "multiply the gradient by learning_rate"),
    (raw_step(reduce="sum"), "times too large: tf.reduce_mean over the batch, not the sum"),
    (raw_step(softmax=True), "no softmax before it"),
    (raw_step(rebind=True), "`w = w - ...` only names a new tensor"),
    (raw_step(kernels_only=True), "dense_0/bias did not change"),
    (raw_step(loss_after=True), "you returned the loss after the step"),
    (raw_step(outside=True), "compute the loss inside `with tf.GradientTape() as tape:`"),
]


# ---- build_mlp: slips ----

def mlp(flatten=True, hidden_activation="relu", last_activation=None, start=True, extra=False):
    def build_mlp(hidden, classes):
        from workshop.tf_env import keras
        layers = ([keras.Input(shape=(8, 8, 1))] if start else []) + ([keras.layers.Flatten()] if flatten else [])
        layers += [keras.layers.Dense(hidden, activation=hidden_activation)]
        layers += [keras.layers.Dense(hidden, activation="relu")] if extra else []
        return keras.Sequential(layers + [keras.layers.Dense(classes, activation=last_activation)])
    return build_mlp


MLP_WRONG = [
    (mlp(flatten=False), "needs keras.layers.Flatten() before the first Dense"),
    (mlp(last_activation="softmax"), "the last layer applies softmax: the loss takes logits"),
    (mlp(last_activation="relu"), "the last layer has an activation"),
    (mlp(hidden_activation=None), "the hidden layer has no activation"),
    (mlp(start=False), "start it with keras.Input(shape=(8, 8, 1))"),
    (mlp(extra=True), "the weights' shapes are"),
    (lambda hidden, classes: mlp()(hidden, classes).get_weights(), "return the model itself"),
]


# ---- train_and_log: slips ----

def logging_loop(folder="train", tag="epoch_loss", step="epoch", every="epoch", writer=True, default=True,
                 value="mean", change_loop=False):
    def train_and_log(model, train_ds, loss_fn, optimizer, epochs, logdir):
        from pathlib import Path

        from workshop.tf_env import keras, tf
        out = tf.summary.create_file_writer(str(Path(logdir) / folder)) if writer else None
        losses, n = [], 0
        for epoch in range(epochs):
            mean_loss = keras.metrics.Mean()
            for x, y in train_ds:
                with tf.GradientTape() as tape:
                    loss = loss_fn(y, model(x, training=True))
                grads = tape.gradient(loss, model.trainable_variables)
                if change_loop:
                    grads = [2 * g for g in grads]
                optimizer.apply_gradients(zip(grads, model.trainable_variables))
                mean_loss.update_state(loss, sample_weight=tf.shape(x)[0])
                if every == "batch":
                    with out.as_default():
                        tf.summary.scalar(tag, loss, step=n)
                n += 1
            losses.append(float(mean_loss.result()))
            if every == "epoch":
                written = losses[-1] if value == "mean" else loss
                at = {"epoch": epoch, "zero": 0, "one": epoch + 1}[step]
                if default:
                    with out.as_default():
                        tf.summary.scalar(tag, written, step=at)
                else:
                    tf.summary.scalar(tag, written, step=at)
        return losses
    return train_and_log


LOG_WRONG = [
    (logging_loop(writer=False, default=False), "no event file under logdir: make a writer"),
    (logging_loop(default=False), "the event file holds no value: call tf.summary.scalar(...) inside"),
    (logging_loop(folder=""), "your curve is in logdir itself: write into logdir/train/"),
    (logging_loop(tag="loss"), "the curve is tagged 'loss': name it 'epoch_loss'"),
    (logging_loop(step="zero"), "every value was written at step 0: pass step=epoch"),
    (logging_loop(step="one"), "the steps run 1, 2, 3"),
    (logging_loop(every="batch"), "9 values for 3 epochs: one a batch"),
    (logging_loop(value="last batch"), "write losses[-1] (the epoch's mean), not the last batch's loss"),
    (logging_loop(change_loop=True), "keep the loop, and add only the writer and the summary"),
]


# ---- fit_with_tensorboard: slips ----

def keras_fit(callback=True, validation=True, metrics=True, optimizer="sgd", compiled=True, epochs=None):
    def fit_with_tensorboard(model, train_ds, val_ds, loss_fn, epochs_, logdir):
        from workshop.tf_env import keras
        if compiled:
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1) if optimizer == "sgd" else "adam",
                          loss=loss_fn, metrics=["accuracy"] if metrics else [])
        return model.fit(train_ds, validation_data=val_ds if validation else None, epochs=epochs or epochs_,
                         verbose=0, callbacks=[keras.callbacks.TensorBoard(log_dir=logdir)] if callback else [])
    return fit_with_tensorboard


FIT_WRONG = [
    (keras_fit(callback=False), "pass callbacks=[keras.callbacks.TensorBoard(log_dir=logdir)] to fit"),
    (keras_fit(validation=False), "pass validation_data=val_ds to fit"),
    (keras_fit(metrics=False), "compile with metrics=['accuracy']"),
    (keras_fit(optimizer="adam"), "the weights ended elsewhere than SGD with learning_rate 0.1 takes them"),
    (keras_fit(compiled=False), "compile the model before fit"),
]

WRONG = {"raw_train_step": RAW_WRONG, "build_mlp": MLP_WRONG, "train_and_log": LOG_WRONG,
         "fit_with_tensorboard": FIT_WRONG}


@pytest.mark.parametrize("name", LEVELS)
def test_reference_and_printed_solution_pass(capsys, name):
    passed, out = verdict(capsys, name, EXERCISES[name].solution)
    assert passed and out.startswith(f"✓ {name}: "), out
    solution(name)
    namespace = {}
    exec(compile(capsys.readouterr().out, f"<solution {name}>", "exec"), namespace)  # what a learner would paste
    assert verdict(capsys, name, namespace[name])[0]


@pytest.mark.slow
@pytest.mark.parametrize("name, fn, phrase", [pytest.param(name, fn, phrase, id=f"{name}-{i}")
                                              for name, wrongs in WRONG.items()
                                              for i, (fn, phrase) in enumerate(wrongs)])
def test_wrong_answer_gets_its_targeted_message(capsys, name, fn, phrase):
    passed, out = verdict(capsys, name, fn)
    assert not passed
    assert out.startswith("✗ ") and phrase in out, out
    assert len(out.strip().splitlines()) <= 2 and "Traceback" not in out


def test_every_levels_exercise_has_wrong_answers():
    assert sorted(WRONG) == sorted(LEVELS) and all(len(w) >= 4 for w in WRONG.values())
    assert {EXERCISES[name].lesson for name in LEVELS} == {"levels-mlp", "levels-linear", "levels-logistic"}


def test_read_scalars_reads_what_tf_summary_wrote(tmp_path):
    from workshop.exercises.levels import read_scalars
    from workshop.tf_env import tf
    writer = tf.summary.create_file_writer(str(tmp_path / "train"))
    with writer.as_default():
        for epoch, value in enumerate((0.5, 0.25)):
            tf.summary.scalar("epoch_loss", value, step=epoch)
    writer.close()
    assert read_scalars(tmp_path) == {"train": {"epoch_loss": [(0, 0.5), (1, 0.25)]}}
    np.testing.assert_equal(read_scalars(tmp_path / "nothing-here"), {})
