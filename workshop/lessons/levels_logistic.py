# %% [markdown]
# # Logistic regression at every level — NumPy, raw TensorFlow, Keras layers, Keras `fit`
#
# **What you will learn:** one sigmoid neuron telling 8s from 1s, written four times: the sigmoid and the
# gradient of its cross-entropy by hand in NumPy, `tf.GradientTape` on two `tf.Variable`s, a Keras `Dense(1)`
# in your own loop, and `compile` + `fit`. The cells below *are* the package's code (each model file of
# `workshop/algorithms/` and each loop of `workshop/training/`, copied in when the notebook was made): change any
# of them and train again. Then the proof that the four are one algorithm: from the same start, on the same
# batches, they end with the same 65 weights. On the way you write the keras level yourself, with Keras's
# TensorBoard callback.
#
# **How to run it:** `workshop run levels-logistic` (about 50 s on 2 CPU cores; `workshop run levels-logistic
# --quick`: about 10 s), or open `notebooks/levels-logistic.ipynb` in JupyterLab with `workshop lab`. Run a
# level's cells in order — model, loop, train: each level's cells define `create` and `fit` anew.
#
# **Expected results:** every level reaches the same accuracy, to the last digit. Full (80 epochs on the 256
# training 8s and 1s): test accuracy 0.986 (70 of the 71 test digits), and the saved weights differ from the
# keras level's by at most numpy 8e-7, raw 7e-7, layers 0. Quick (5 epochs): test accuracy 0.958, differences
# numpy 5e-7, raw at most 1e-7, layers 0 (the raw level's loss, tf.nn.sigmoid_cross_entropy_with_logits, is
# Keras's formula written another way, so its last bits may differ). The last cell of section 7 fails (an
# `assert`) if any level parts from keras by more than 1e-5.

# %%
QUICK = False  # True: seconds per section (what CI runs); False: the full sizes, for a live session
from workshop.lessons.lesson import Lesson

lesson = Lesson("levels-logistic", quick=QUICK)

# %% [markdown]
# ## 1. The data
#
# The 8×8 digits, only the 8s and the 1s: y = 1.0 for an 8, 0.0 for a 1, as a column (n, 1) like the model's
# output. `same` holds the settings every level trains with below — one seed, plain SGD, learning rate 1.0,
# batches of 32 — so nothing but the level changes. Every level's run goes into `logs/levels-logistic/levels/`,
# which section 8 opens.

# %%
from workshop import exercises
from workshop.config import TrainConfig
from workshop.lessons import side_by_side
from workshop.training.prepare import prepare

same = dict(model="logistic", optimizer="sgd", learning_rate=1.0, batch_size=32, seed=0,
            epochs=5 if lesson.quick else 80)
config = TrainConfig(**same).resolved()
data = prepare(config)
lesson.say(side_by_side.describe(data))
lesson.say(f"class 0 = digit {data.class_names[0]}, class 1 = digit {data.class_names[1]}")
summaries = {}  # {level: its run's summary}, filled section by section

# %% [markdown]
# ## 2. numpy: you write the sigmoid *and* the gradient
#
# The model outputs the logit `z = x·w + b`; `sigmoid(z)` is the probability of an 8. The gradient of the mean
# cross-entropy by `z` is simply `(sigmoid(z) - y) / n` — the sigmoid's slope cancels against the log's — and
# `z = x·w + b` hands it on as `xᵀ · delta` to `w` and `sum(delta)` to `b`. (`workshop/algorithms/logistic_numpy.py`)

# %%
# %inline workshop/algorithms/logistic_numpy.py

# %% [markdown]
# The numpy level's loop: for each epoch, for each batch in the order drawn for that epoch, the model's own
# `gradients`, then `w -= learning_rate * g` by hand; then the validation split.

# %%
# %inline workshop/training/numpy_loop.py

# %% [markdown]
# Train it: the `create` and `fit` above, with everything around them (the data, the start weights,
# TensorBoard, saving) from the package, as `workshop train logistic --api numpy` does it.

# %%
summaries["numpy"] = lesson.train(api="numpy", **same, group="levels", create=create, fit=fit,
                                  save=side_by_side.model_path(lesson, config, "numpy"))
side_by_side.say_run(lesson, summaries["numpy"])

# %% [markdown]
# ## 3. raw: you write the logit, TensorFlow finds the gradients
#
# `w` and `b` as `tf.Variable`s in a `tf.Module`. No gradient by hand: the loop records the forward pass on a
# `tf.GradientTape`. The loss, `tf.nn.sigmoid_cross_entropy_with_logits`, applies the sigmoid itself, in a form
# that cannot overflow. (`workshop/algorithms/logistic_raw.py`)

# %%
# %inline workshop/algorithms/logistic_raw.py

# %% [markdown]
# The raw level's loop: `train_step` records the forward pass, plays it backwards and updates each variable by
# hand, `w.assign_sub(learning_rate * g)`.

# %%
# %inline workshop/training/raw_loop.py

# %%
summaries["raw"] = lesson.train(api="raw", **same, group="levels", create=create, fit=fit,
                                save=side_by_side.model_path(lesson, config, "raw"))
side_by_side.say_run(lesson, summaries["raw"])

# %% [markdown]
# ## 4. layers: `Flatten` and a `Dense(1)` hold it all
#
# The `Dense` layer owns `w` (its kernel, (64, 1)) and `b`; it has no activation, so it returns the logit and
# `BinaryCrossentropy(from_logits=True)` applies the sigmoid inside the loss. (`workshop/algorithms/logistic_layers.py`)

# %%
# %inline workshop/algorithms/logistic_layers.py

# %% [markdown]
# The layers level's loop is `fit` written out: the tape, `optimizer.apply_gradients` for the update,
# `keras.metrics` for the running loss and accuracy.

# %%
# %inline workshop/training/layers_loop.py

# %%
summaries["layers"] = lesson.train(api="layers", **same, group="levels", create=create, fit=fit,
                                   save=side_by_side.model_path(lesson, config, "layers"))
side_by_side.say_run(lesson, summaries["layers"])

# %% [markdown]
# ## 5. keras: a Sequential and `fit`
#
# The same two layers in a `keras.Sequential` (`workshop/algorithms/logistic_keras.py`); `compile` and `fit` do
# everything else (`workshop/training/keras_fit.py`).

# %%
# %inline workshop/algorithms/logistic_keras.py

# %%
# %inline workshop/training/keras_fit.py

# %% [markdown]
# ### Your turn: `compile`, `fit` and Keras's TensorBoard callback
# The keras level with nothing around it. Compile the model (plain SGD, `keras.optimizers.SGD(learning_rate=0.1)`,
# the loss you are given, `metrics=["accuracy"]`), then fit it for `epochs` on `train_ds`, validating on `val_ds`,
# with `callbacks=[keras.callbacks.TensorBoard(log_dir=logdir)]`, and return what `fit` returns. The check trains
# a small model of its own with your function and reads the callback's event files back: `train/` and
# `validation/`, `epoch_loss` and `epoch_accuracy`. `exercises.hint("fit_with_tensorboard")`,
# `exercises.solution("fit_with_tensorboard")`.

# %%
def fit_with_tensorboard(model, train_ds, val_ds, loss_fn, epochs, logdir):
    """compile (SGD 0.1, loss_fn, accuracy) and fit `model` with keras.callbacks.TensorBoard(log_dir=logdir);
    returns the History."""
    return None  # your code here


exercises.check("fit_with_tensorboard", fit_with_tensorboard)

# %%
summaries["keras"] = lesson.train(api="keras", **same, group="levels", create=create, fit=fit,
                                  save=side_by_side.model_path(lesson, config, "keras"))
side_by_side.say_run(lesson, summaries["keras"])

# %% [markdown]
# ## 6. The levels side by side
#
# Loss and accuracy agree to the digits shown; only the speed differs.

# %%
table = side_by_side.results(summaries)
lesson.say(side_by_side.show(table))

# %% [markdown]
# ## 7. The proof: the same weights
#
# Read every saved model back from its file, as any user of it would, and take its weights, `[w, b]`.

# %%
weights = side_by_side.saved_weights(summaries)  # {level: its weights, read back from its file}

# %% [markdown]
# Compare each level with keras, weight by weight. The levels do the same arithmetic but not always in the same
# order (NumPy and TensorFlow add up a batch in their own order), so the last bit of a float32 may differ: well
# under 1e-6 here. Anything above 1e-5 would mean a level computes something else: then this cell fails, and so
# does the notebook. The first line shows that training moved the weights, so "equal" is not the trivial
# "nothing happened".

# %%
differences = side_by_side.same_weights(lesson, weights, reference="keras",
                                        start=side_by_side.start_weights(config, data))

# %% [markdown]
# ### Try it
# Batch gradient descent instead of mini-batches, at two levels: `workshop train logistic --api raw
# --batch-size 256` and the same with `--api keras` (256 is the whole training set, so one step per epoch).
# Both print the same test accuracy. How many epochs (`--epochs`) does one step per epoch need to match the
# 0.986 of batches of 32?

# %% [markdown]
# ## 8. Watch it in TensorBoard: four levels, one curve
# The runs of this question only: `logs/levels-logistic/levels/`, the four levels trained above. In Scalars
# the `epoch_loss` and `epoch_accuracy` of numpy, raw, layers and keras coincide exactly — four runs, one
# visible line each for training and validation. That is the proof again, not a missing run: switch runs on
# and off in the run list to see that each one is there.

# %%
# %load_ext tensorboard
# %tensorboard --logdir {lesson.logdir}/levels
