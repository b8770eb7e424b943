"""Exercises of the levels lessons, where the learner writes TensorFlow and Keras: the raw level's
GradientTape step, tf.summary in a loop of one's own, the MLP as a keras.Sequential, and `fit` with
Keras's TensorBoard callback. Truth: the package's own models (workshop/algorithms/mlp_numpy.py's
backpropagation by hand, mlp_raw.py, mlp_keras.py), the reference solutions run on copies of the
same start, and the event files read back as TensorBoard reads them.

TensorFlow is imported inside the functions: `import workshop.exercises` stays light.
"""

import tempfile
from pathlib import Path

import numpy as np

from workshop.exercises.core import NONE, Exercise, Wrong, call, close, compare, number

TF_ADVICE = [("NoneType", "tape.gradient gave None: compute the loss inside `with tf.GradientTape() as tape:`"),
             ("No step set", "tf.summary.scalar needs the step: step=epoch")]


# ---- raw_train_step: levels-mlp, the raw level ----

def raw_train_step(model, x, y, learning_rate):
    from workshop.tf_env import tf

    with tf.GradientTape() as tape:  # record the forward pass and the loss...
        y_pred = model(x)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=y_pred))
    grads = tape.gradient(loss, model.params)  # ...and play it backwards
    for w, g in zip(model.params, grads):
        w.assign_sub(learning_rate * g)  # the update, by hand
    return loss


def check_raw_train_step(fn) -> str:
    from workshop.algorithms.mlp_numpy import MLP
    from workshop.algorithms.mlp_raw import MLP as RawMLP
    from workshop.algorithms.shapes import kernel_shapes
    from workshop.algorithms.weights import initial_weights

    rng = np.random.default_rng()
    for n in (int(rng.integers(8, 33)), 1):  # a batch, then a batch of one
        hidden = int(rng.integers(4, 17))
        start = initial_weights(kernel_shapes("mlp", (8, 8, 1), 10, (hidden,)), int(rng.integers(1000)))
        x = rng.random((n, 8, 8, 1), dtype=np.float32)
        y = rng.integers(0, 10, n).astype(np.int32)
        learning_rate = float(rng.choice([0.1, 0.3, 0.5]))
        want_loss, grads = MLP(start).gradients(x, y)  # backpropagation by hand: the package's numpy level
        want = [w - learning_rate * g for w, g in zip(start, grads)]
        model = RawMLP(start)
        got = call(fn, model, x, y, learning_rate, fresh=False, advice=TF_ADVICE)
        after = [w.numpy() for w in model.params]
        moved = [not np.array_equal(a, s) for a, s in zip(after, start)]
        if got is None:
            raise Wrong(NONE + (" (the weights did change: return the loss too)" if any(moved) else ""))
        loss = number(got, "the loss")
        if not close(loss, want_loss, 1e-4):
            probabilities = _cross_entropy(_softmax(_logits(start, x)), y)
            known = [("you returned the loss after the step: return the one the tape recorded, before it",
                      _cross_entropy(_logits(want, x), y)),
                     (f"the loss is {n} times too large: tf.reduce_mean over the batch, not the sum", want_loss * n),
                     ("the model outputs logits: pass them to sparse_softmax_cross_entropy_with_logits as they are, "
                      "no softmax before it", probabilities)]
            if n == 1:  # a batch of one: its sum is its mean
                known.pop(1)
            why = [message for message, value in known if close(loss, value, 1e-4)]
            raise Wrong(why[0] if why else f"the loss: expected {want_loss:.4g}, got {loss:.4g}")
        if not any(moved):
            raise Wrong("the variables did not change: `w = w - ...` only names a new tensor; change the variable "
                        "itself, w.assign_sub(learning_rate * g), for each w in model.params")
        for variable, a, s, w, m in zip(model.params, after, start, want, moved):
            name = variable.name.split(":")[0]
            if not m:
                raise Wrong(f"{name} did not change: update every variable in model.params")
            compare(a - s, w - s, f"the change in {name}", rtol=1e-3,
                    sign="the step goes downhill: w.assign_sub(learning_rate * g), not assign_add",
                    scales=[(1 / learning_rate, "multiply the gradient by learning_rate"),
                            (n, "the loss must be the mean over the batch (tf.reduce_mean), not the sum")])
    return ("right on 2 steps of the raw MLP, a batch and a batch of one: the loss and every weight, as "
            "backpropagation by hand (mlp_numpy.py) computes them")


def _logits(weights, x):
    h = x.reshape(len(x), -1)
    for i in range(0, len(weights) - 2, 2):
        h = np.maximum(h @ weights[i] + weights[i + 1], 0)
    return h @ weights[-2] + weights[-1]


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _cross_entropy(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(y)), y].mean())


# ---- build_mlp: levels-mlp, the keras level ----

def build_mlp(hidden, classes):
    from workshop.tf_env import keras

    return keras.Sequential([
        keras.Input(shape=(8, 8, 1)),  # an 8x8 digit, one channel
        keras.layers.Flatten(),  # (8, 8, 1) -> 64 numbers
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(classes),  # logits: the loss applies the softmax (from_logits=True)
    ])


# the package's MLP (hidden 64, start weights of seed 0, Adam 0.01, batches of 32 in order) reaches
# 0.944 validation accuracy on digits after 5 epochs (0.951 from seed 1's weights)
BUILD_EPOCHS, BUILD_ACCURACY = 5, 0.93


def check_build_mlp(fn) -> str:
    from workshop.algorithms import mlp_keras
    from workshop.algorithms.shapes import kernel_shapes
    from workshop.algorithms.weights import initial_weights
    from workshop.data import load
    from workshop.tf_env import keras

    rng = np.random.default_rng()
    hidden, classes = int(rng.choice([16, 32])), 10
    model = call(fn, hidden, classes)
    if model is None:
        raise Wrong(NONE)
    if not isinstance(model, keras.Model):
        raise Wrong(f"return the model itself, a keras.Sequential; got {type(model).__name__}")
    package = mlp_keras.build((8, 8, 1), (hidden,), classes)
    want_shapes = [tuple(w.shape) for w in package.get_weights()]
    got_shapes = [tuple(w.shape) for w in model.get_weights()]
    if not got_shapes:
        raise Wrong("the model has no weights yet: start it with keras.Input(shape=(8, 8, 1)), so Keras knows "
                    "what comes in")
    if got_shapes != want_shapes:
        if got_shapes and got_shapes[0] == (1, hidden):
            raise Wrong("Dense works on the last axis only: each (8, 8, 1) image needs keras.layers.Flatten() "
                        "before the first Dense")
        raise Wrong(f"the weights' shapes are {got_shapes}; the package's MLP (workshop/algorithms/mlp_keras.py) "
                    f"has {want_shapes}: Flatten, Dense({hidden}, relu), Dense({classes})")
    start = initial_weights(kernel_shapes("mlp", (8, 8, 1), classes, (hidden,)), int(rng.integers(1000)))
    model.set_weights(start)
    splits = load("digits")
    got = np.asarray(model(splits.x_val[:32], training=False))
    want = _logits(start, splits.x_val[:32])
    if not close(got, want, 1e-4):
        flat = splits.x_val[:32].reshape(32, -1)
        linear = (flat @ start[0] + start[1]) @ start[2] + start[3]
        known = [("the last layer applies softmax: the loss takes logits (from_logits=True), so the last Dense "
                  "has no activation", _softmax(want)),
                 ("the last layer has an activation: its outputs are logits, any real number, so leave it out",
                  np.maximum(want, 0)),
                 ("the hidden layer has no activation: Dense(hidden, activation='relu')", linear)]
        why = [message for message, value in known if close(got, value, 1e-4)]
        raise Wrong(why[0] if why else "the outputs differ from the package's MLP's with the same weights: "
                    "Flatten, Dense(hidden, activation='relu'), Dense(classes) with no activation")
    model = call(fn, 64, classes)  # now trained as the package trains its MLP
    model.set_weights(initial_weights(kernel_shapes("mlp", (8, 8, 1), classes, (64,)), 0))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(splits.x_train, splits.y_train, validation_data=(splits.x_val, splits.y_val),
                        epochs=BUILD_EPOCHS, batch_size=32, shuffle=False, verbose=0)
    accuracy = history.history["val_accuracy"][-1]
    if accuracy < BUILD_ACCURACY:
        raise Wrong(f"it trained to a validation accuracy of {accuracy:.3f} after {BUILD_EPOCHS} epochs, under "
                    f"the {BUILD_ACCURACY:.2f} the package's MLP reaches: compare its layers with mlp_keras.py")
    return (f"the package's MLP, layer for layer: the same outputs from the same weights (hidden {hidden}), and "
            f"{accuracy:.3f} validation accuracy after {BUILD_EPOCHS} epochs of Adam (hidden 64; at least "
            f"{BUILD_ACCURACY:.2f})")


# ---- train_and_log: levels-linear, tf.summary in a loop ----

def train_and_log(model, train_ds, loss_fn, optimizer, epochs, logdir):
    from pathlib import Path

    from workshop.tf_env import keras, tf

    writer = tf.summary.create_file_writer(str(Path(logdir) / "train"))  # Keras's folder for training curves
    losses = []
    for epoch in range(epochs):
        mean_loss = keras.metrics.Mean()
        for x, y in train_ds:
            with tf.GradientTape() as tape:
                loss = loss_fn(y, model(x, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            mean_loss.update_state(loss, sample_weight=tf.shape(x)[0])
        losses.append(float(mean_loss.result()))
        with writer.as_default():  # where tf.summary writes
            tf.summary.scalar("epoch_loss", losses[-1], step=epoch)  # Keras's tag: the curves overlay
    writer.close()
    return losses


LOG_EPOCHS, LOG_EXAMPLES, LOG_BATCH = 3, 96, 32  # 3 batches an epoch


def _tiny_classifier(weights):
    from workshop.tf_env import keras
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10)])
    model.set_weights(weights)
    return model


def _digits_ds(n, batch_size):
    from workshop.data import load
    from workshop.tf_env import tf
    splits = load("digits")
    return tf.data.Dataset.from_tensor_slices((splits.x_train[:n].reshape(n, -1), splits.y_train[:n])).batch(batch_size)


def read_scalars(logdir) -> dict:
    """{folder relative to logdir ("." for logdir itself): {tag: [(step, value), ...]}} of every event
    file under `logdir`, read as TensorBoard reads them."""
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.util import tensor_util
    found = {}
    for folder in sorted({p.parent for p in Path(logdir).rglob("events.out.tfevents*")}):
        acc = event_accumulator.EventAccumulator(str(folder), size_guidance={"tensors": 0, "scalars": 0})
        acc.Reload()
        tags = {tag: [(e.step, float(tensor_util.make_ndarray(e.tensor_proto))) for e in acc.Tensors(tag)]
                for tag in acc.Tags()["tensors"] if acc.SummaryMetadata(tag).plugin_data.plugin_name == "scalars"}
        tags.update({tag: [(e.step, e.value) for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]})
        found[str(folder.relative_to(logdir))] = tags
    return found


def check_train_and_log(fn) -> str:
    from workshop.tf_env import keras

    rng = np.random.default_rng()
    start = [rng.normal(0, 0.1, (64, 10)).astype(np.float32), np.zeros(10, np.float32)]

    def run(f, logdir):
        return call(f, _tiny_classifier(start), _digits_ds(LOG_EXAMPLES, LOG_BATCH),
                    keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    keras.optimizers.SGD(learning_rate=0.1), LOG_EPOCHS, logdir, fresh=False, advice=TF_ADVICE)

    with tempfile.TemporaryDirectory() as ours, tempfile.TemporaryDirectory() as theirs:
        want = run(train_and_log, ours)
        got = run(fn, theirs)
        scalars = read_scalars(theirs)
    if got is None:
        raise Wrong(NONE + ": the list of the epochs' losses the loop builds")
    if not isinstance(got, (list, tuple, np.ndarray)):
        raise Wrong(f"return the list of the epochs' losses, one number an epoch; got {type(got).__name__}")
    got = [number(v, "each epoch's loss") for v in got]
    if len(got) != LOG_EPOCHS or not close(got, want, 1e-4):
        raise Wrong(f"the epochs' losses are {np.round(got, 4).tolist()}, the loop as given makes "
                    f"{np.round(want, 4).tolist()}: keep the loop, and add only the writer and the summary")
    if not scalars:
        raise Wrong("no event file under logdir: make a writer, tf.summary.create_file_writer(str(Path(logdir) / "
                    "\"train\")), and write inside `with writer.as_default():`")
    if not any(scalars.values()):
        raise Wrong("the event file holds no value: call tf.summary.scalar(...) inside `with writer.as_default():` "
                    "(outside it, it writes nowhere)")
    where = {folder: tags for folder, tags in scalars.items() if tags}
    if "train" not in where:
        folder = next(iter(where))
        raise Wrong(f"your curve is in {'logdir itself' if folder == '.' else folder + '/'}: write into "
                    "logdir/train/, where Keras's TensorBoard callback writes its training curves, so they overlay")
    tags = where["train"]
    if "epoch_loss" not in tags:
        raise Wrong(f"the curve is tagged {', '.join(map(repr, tags))}: name it 'epoch_loss', the tag Keras's "
                    "callback writes, so it lands on the same chart as the keras runs")
    points = sorted(tags["epoch_loss"])
    steps = [step for step, _ in points]
    if len(points) == LOG_EPOCHS * LOG_EXAMPLES // LOG_BATCH:
        raise Wrong(f"{len(points)} values for {LOG_EPOCHS} epochs: one a batch; write once an epoch, after its "
                    "batches, the epoch's mean loss")
    if len(set(steps)) == 1 and len(steps) > 1:
        raise Wrong(f"every value was written at step {steps[0]}: pass step=epoch, so TensorBoard draws a curve")
    if steps == list(range(1, LOG_EPOCHS + 1)):
        raise Wrong("the steps run 1, 2, 3: Keras's callback writes the first epoch at step 0, step=epoch")
    if steps != list(range(LOG_EPOCHS)):
        raise Wrong(f"the steps are {steps}: one value an epoch at step=epoch, 0 to {LOG_EPOCHS - 1}")
    values = [value for _, value in points]
    if not close(values, want, 1e-4):
        raise Wrong(f"the values written, {np.round(values, 4).tolist()}, are not the epochs' mean losses "
                    f"{np.round(want, 4).tolist()}: write losses[-1] (the epoch's mean), not the last batch's loss")
    return (f"epoch_loss in logdir/train/, one value an epoch at steps 0-{LOG_EPOCHS - 1}, the epochs' mean "
            "losses, read back from the event file")


# ---- fit_with_tensorboard: levels-logistic, the keras level's callback ----

def fit_with_tensorboard(model, train_ds, val_ds, loss_fn, epochs, logdir):
    from workshop.tf_env import keras

    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss=loss_fn, metrics=["accuracy"])
    return model.fit(train_ds, validation_data=val_ds, epochs=epochs, verbose=0,
                     callbacks=[keras.callbacks.TensorBoard(log_dir=logdir)])


def check_fit_with_tensorboard(fn) -> str:
    from workshop.data import load
    from workshop.tf_env import keras, tf

    rng = np.random.default_rng()
    start = [rng.normal(0, 0.1, (64, 10)).astype(np.float32), np.zeros(10, np.float32)]
    splits = load("digits")
    val_ds = tf.data.Dataset.from_tensor_slices((splits.x_val[:64].reshape(64, -1), splits.y_val[:64])).batch(32)

    def run(f, logdir):
        model = _tiny_classifier(start)
        history = call(f, model, _digits_ds(LOG_EXAMPLES, LOG_BATCH), val_ds,
                       keras.losses.SparseCategoricalCrossentropy(from_logits=True), LOG_EPOCHS, logdir,
                       fresh=False, advice=[("must call `compile()`", "compile the model before fit: "
                                             "model.compile(optimizer=..., loss=loss_fn, metrics=['accuracy'])")])
        return history, model.get_weights()

    with tempfile.TemporaryDirectory() as ours, tempfile.TemporaryDirectory() as theirs:
        _, want = run(fit_with_tensorboard, ours)
        history, got = run(fn, theirs)
        scalars = {folder: tags for folder, tags in read_scalars(theirs).items() if tags}
    if history is None:
        raise Wrong(NONE + ": what model.fit returns (its History)")
    if all(np.array_equal(g, s) for g, s in zip(got, start)):
        raise Wrong("the weights did not change: call model.fit(train_ds, validation_data=val_ds, epochs=epochs, ...)")
    if not all(close(g, w, 1e-4) for g, w in zip(got, want)):
        raise Wrong("the weights ended elsewhere than SGD with learning_rate 0.1 takes them: "
                    "model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss=loss_fn, ...) and "
                    "fit for `epochs` epochs")
    if not scalars:
        raise Wrong("nothing under logdir: pass callbacks=[keras.callbacks.TensorBoard(log_dir=logdir)] to fit")
    if "validation" not in scalars:
        raise Wrong("no validation/ curves: pass validation_data=val_ds to fit")
    if "epoch_accuracy" not in scalars.get("train", {}):
        raise Wrong("no accuracy curve: compile with metrics=['accuracy']")
    if len(scalars["train"].get("epoch_loss", [])) != LOG_EPOCHS:
        raise Wrong(f"{len(scalars['train'].get('epoch_loss', []))} epoch_loss values for {LOG_EPOCHS} epochs: "
                    "fit for `epochs` epochs, once")
    return (f"compile + fit for {LOG_EPOCHS} epochs with keras.callbacks.TensorBoard: epoch_loss and "
            "epoch_accuracy in logdir/train/ and logdir/validation/, the weights SGD(0.1) gives")


EXERCISES = {
    "raw_train_step": Exercise(
        "levels-mlp", "one plain SGD step of the raw MLP with tf.GradientTape and assign_sub; return the loss",
        raw_train_step, "Inside `with tf.GradientTape() as tape:` run y_pred = model(x) and the mean loss, "
        "tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=y_pred)); then "
        "grads = tape.gradient(loss, model.params), and w.assign_sub(learning_rate * g) for each pair.",
        check_raw_train_step, imports=""),
    "build_mlp": Exercise(
        "levels-mlp", "the MLP as a keras.Sequential: Input (8, 8, 1), Flatten, Dense(hidden, relu), Dense(classes)",
        build_mlp, "keras.Sequential([...]) takes the layers in order: keras.Input(shape=(8, 8, 1)), "
        "keras.layers.Flatten(), keras.layers.Dense(hidden, activation=\"relu\"), keras.layers.Dense(classes). "
        "The last layer has no activation: the loss takes logits.", check_build_mlp, imports=""),
    "train_and_log": Exercise(
        "levels-linear", "the loop of `train` plus a tf.summary writer: epoch_loss per epoch into logdir/train/",
        train_and_log, "Before the loop, writer = tf.summary.create_file_writer(str(Path(logdir) / \"train\")). "
        "After each epoch's batches: `with writer.as_default():` then tf.summary.scalar(\"epoch_loss\", "
        "losses[-1], step=epoch). Close the writer at the end.", check_train_and_log, imports=""),
    "fit_with_tensorboard": Exercise(
        "levels-logistic", "compile with SGD(0.1) and fit with keras.callbacks.TensorBoard; return the History",
        fit_with_tensorboard, "model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss=loss_fn, "
        "metrics=[\"accuracy\"]), then return model.fit(train_ds, validation_data=val_ds, epochs=epochs, "
        "callbacks=[keras.callbacks.TensorBoard(log_dir=logdir)]).", check_fit_with_tensorboard, imports=""),
}
