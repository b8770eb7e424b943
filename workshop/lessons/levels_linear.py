# %% [markdown]
# # Linear regression at every level — NumPy, raw TensorFlow, Keras layers, Keras `fit`
#
# **What you will learn:** the smallest model there is, `y = a·x + b`, fitted by gradient descent four times:
# with the gradients of the mean squared error written in NumPy, with `tf.GradientTape` finding them, with a
# Keras `Dense(1)` layer in your own loop, and with `compile` + `fit`. The cells below *are* the package's code
# (each model file of `workshop/algorithms/` and each loop of `workshop/training/`, copied in when the notebook
# was made): change any of them and train again. Then the proof that the four are one algorithm: from the same
# start, on the same batches, they end with the same `a` and `b`. On the way you add TensorBoard to a loop of
# your own.
#
# **How to run it:** `workshop run levels-linear` (about 25 s on 2 CPU cores; `workshop run levels-linear
# --quick`: about 10 s), or open `notebooks/levels-linear.ipynb` in JupyterLab with `workshop lab`. Run a
# level's cells in order — model, loop, train: each level's cells define `create` and `fit` anew.
#
# **Expected results:** the data were made with a = 2.09 and b = −0.92 plus noise; every level finds
# a = 2.0906, b = −0.8937 (the best line through these 30 noisy points) and a training loss of 0.0090 (full,
# 100 epochs). Quick (20 epochs) ends within 1e-4 of that, a = 2.0905: batch gradient descent at learning rate
# 0.5 has all but converged after 20 steps. The saved weights of numpy, raw and layers differ from keras's by
# exactly 0 at both sizes; the last cell of section 7 fails (an `assert`) if any level parts from keras by more
# than 1e-5.

# %%
QUICK = False  # True: seconds per section (what CI runs); False: the full sizes, for a live session
from workshop.lessons.lesson import Lesson

lesson = Lesson("levels-linear", quick=QUICK)

# %% [markdown]
# ## 1. The data
#
# The `line` dataset: 30 training points (x, y) with y = 2.09·x − 0.92 plus noise, and 10 each for validation
# and test. `same` holds the settings every level trains with below: one seed, plain SGD, learning rate 0.5,
# and batches of all 30 points — so each step is one step of *batch* gradient descent. Every level's run goes
# into `logs/levels-linear/levels/`, which section 8 opens.

# %%
from workshop import exercises
from workshop.config import TrainConfig
from workshop.lessons import side_by_side
from workshop.training.prepare import prepare

same = dict(model="linear", optimizer="sgd", learning_rate=0.5, batch_size=30, seed=0,
            epochs=20 if lesson.quick else 100)
config = TrainConfig(**same).resolved()
data = prepare(config)
lesson.say(side_by_side.describe(data))
lesson.say(f"made with a = {data.extra['a']}, b = {data.extra['b']}")
summaries = {}  # {level: its run's summary}, filled section by section

# %% [markdown]
# ## 2. numpy: you write the prediction *and* its gradients
#
# The loss is `mean((y_pred - y)²)`; its derivative by `y_pred` is `2 (y_pred - y) / n`, and `y_pred = x·a + b`
# hands it on as `xᵀ · delta` to `a` and `sum(delta)` to `b`. Two lines of calculus, written by hand.
# (`workshop/algorithms/linear_numpy.py`)

# %%
# %inline workshop/algorithms/linear_numpy.py

# %% [markdown]
# The numpy level's loop, where nothing is hidden: for each epoch, for each batch (in the order drawn for that
# epoch), take the gradients and step against them, `w -= learning_rate * g`; then score the validation split.

# %%
# %inline workshop/training/numpy_loop.py

# %% [markdown]
# Train it: the `create` and `fit` above, with everything around them (the data, the start weights,
# TensorBoard, saving) from the package, as `workshop train linear --api numpy` does it.

# %%
summaries["numpy"] = lesson.train(api="numpy", **same, group="levels", create=create, fit=fit,
                                  save=side_by_side.model_path(lesson, config, "numpy"))
side_by_side.say_run(lesson, summaries["numpy"])

# %% [markdown]
# ## 3. raw: you write the prediction, TensorFlow finds the gradients
#
# `a` and `b` become `tf.Variable`s in a `tf.Module`. The `gradients` method is gone: the training loop
# records `x @ a + b` on a `tf.GradientTape` and asks it for `d loss / d a` and `d loss / d b`.
# (`workshop/algorithms/linear_raw.py`)

# %%
# %inline workshop/algorithms/linear_raw.py

# %% [markdown]
# The raw level's loop: `train_step` records the forward pass on the tape, plays it backwards and updates each
# variable by hand, `w.assign_sub(learning_rate * g)`.

# %%
# %inline workshop/training/raw_loop.py

# %%
summaries["raw"] = lesson.train(api="raw", **same, group="levels", create=create, fit=fit,
                                save=side_by_side.model_path(lesson, config, "raw"))
side_by_side.say_run(lesson, summaries["raw"])

# %% [markdown]
# ## 4. layers: a Keras `Dense(1)` is `y = a·x + b`
#
# A `Dense` layer with one input and one unit holds exactly `a` (its kernel, shape (1, 1)) and `b` (its bias).
# Keras creates and tracks them; our own loop still runs the steps, with a Keras optimizer for the update.
# (`workshop/algorithms/linear_layers.py`)

# %%
# %inline workshop/algorithms/linear_layers.py

# %% [markdown]
# The layers level's loop: the same tape, then `optimizer.apply_gradients` and `keras.metrics`.

# %%
# %inline workshop/training/layers_loop.py

# %%
summaries["layers"] = lesson.train(api="layers", **same, group="levels", create=create, fit=fit,
                                   save=side_by_side.model_path(lesson, config, "layers"))
side_by_side.say_run(lesson, summaries["layers"])

# %% [markdown]
# ### Your turn: TensorBoard in a loop of your own
# Here is that loop at its shortest, with nothing around it: batches, tape, optimizer, the epoch's mean loss.
# It trains the layers-level model above from the shared start for 5 epochs of batch gradient descent.

# %%
from workshop.tf_env import keras, tf


def train(model, train_ds, loss_fn, optimizer, epochs):
    """The layers level's loop at its shortest: returns each epoch's mean training loss."""
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
    return losses


train_ds = tf.data.Dataset.from_tensor_slices((data.x_train, data.y_train)).batch(30)
model = create(config, data.input_shape, data.classes, side_by_side.start_weights(config, data))
losses = train(model, train_ds, keras.losses.MeanSquaredError(), keras.optimizers.SGD(learning_rate=0.5), epochs=5)
lesson.say("epoch losses: " + ", ".join(f"{loss:.4f}" for loss in losses))

# %% [markdown]
# Its losses exist only in that list. Copy `train` into `train_and_log` below and make TensorBoard draw them, as
# TensorBoard's "Get started" guide does: a writer for `logdir/train` (the folder Keras's TensorBoard callback
# writes its training curves to, so your curve overlays with the keras runs),
# `tf.summary.create_file_writer(...)`, then after each epoch, inside `with writer.as_default():`,
# `tf.summary.scalar("epoch_loss", ..., step=epoch)`. The check runs your loop on a small model of its own and
# reads your event file back. `exercises.hint("train_and_log")`, `exercises.solution("train_and_log")`.

# %%
def train_and_log(model, train_ds, loss_fn, optimizer, epochs, logdir):
    """`train`, plus a tf.summary writer: each epoch's mean loss as `epoch_loss` at step=epoch in logdir/train/.
    Returns each epoch's mean training loss, as `train` does."""
    return None  # your code here


exercises.check("train_and_log", train_and_log)

# %% [markdown]
# ## 5. keras: a Sequential and `fit`
#
# The same `Dense(1)` in a `keras.Sequential` (`workshop/algorithms/linear_keras.py`); `compile` picks the loss
# (mean squared error) and the optimizer, `fit` runs everything else (`workshop/training/keras_fit.py`).

# %%
# %inline workshop/algorithms/linear_keras.py

# %%
# %inline workshop/training/keras_fit.py

# %%
summaries["keras"] = lesson.train(api="keras", **same, group="levels", create=create, fit=fit,
                                  save=side_by_side.model_path(lesson, config, "keras"))
side_by_side.say_run(lesson, summaries["keras"])

# %% [markdown]
# ## 6. The levels side by side
#
# The `a` and `b` each found, beside the true ones. They are not quite the true
# values — 30 noisy points do not pin the line down exactly — but every level finds the same best line.

# %%
table = side_by_side.results(summaries)
lesson.say(side_by_side.show(table))

# %% [markdown]
# ## 7. The proof: the same weights
#
# Read every saved model back from its file, as any user of it would, and take its weights, `[a, b]`.

# %%
weights = side_by_side.saved_weights(summaries)  # {level: its weights, read back from its file}

# %% [markdown]
# Compare each level with keras. With two weights and batches of all 30 points the levels even round alike:
# the differences are exactly 0. A level that computed something else would be off by far more than 1e-5, and
# then this cell fails, and so does the notebook. The first line shows that training moved the weights, so the
# equality is not the trivial "nothing happened".

# %%
differences = side_by_side.same_weights(lesson, weights, reference="keras",
                                        start=side_by_side.start_weights(config, data))

# %% [markdown]
# ### Try it
# Stochastic gradient descent, one point per step, at two levels:
# `workshop train linear --api numpy --batch-size 1 --lr 0.05` and the same with `--api keras`. Both print the
# `a` and `b` they found: noisier steps, the same numbers at both levels. Or raise the learning rate until it
# diverges (`--lr 2`): every level stops with the same one-line message.

# %% [markdown]
# ## 8. Watch it in TensorBoard: four levels, one curve
# The runs of this question only: `logs/levels-linear/levels/`, the four levels trained above. In Scalars the
# `epoch_loss` of numpy, raw, layers and keras coincide exactly — four runs, one visible line for training and
# one for validation. That is the proof again, not a missing run: switch runs on and off in the run list to see
# that each one is there.

# %%
# %load_ext tensorboard
# %tensorboard --logdir {lesson.logdir}/levels
