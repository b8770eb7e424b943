# %% [markdown]
# # Logistic regression at every level — NumPy, raw TensorFlow, Keras layers, Keras `fit`
#
# **What you will learn:** one sigmoid neuron telling 8s from 1s, written four times: the sigmoid and the
# gradient of its cross-entropy by hand in NumPy, `tf.GradientTape` on two `tf.Variable`s, a Keras `Dense(1)`
# in your own loop, and `compile` + `fit`. Then the proof that the four are one algorithm: from the same
# start, on the same batches, they end with the same 65 weights.
#
# **How to run it:** `workshop run levels-logistic` (about 50 s on 2 CPU cores; `workshop run levels-logistic
# --quick`: about 10 s), or open `notebooks/levels-logistic.ipynb` in JupyterLab with `workshop lab`.
#
# **Expected results:** every level reaches the same accuracy, to the last digit. Full (80 epochs on the 256
# training 8s and 1s): test accuracy 0.986 (70 of the 71 test digits), and the saved weights differ from the
# keras level's by at most numpy 8e-7, raw 7e-7, layers 0. Quick (5 epochs): test accuracy 0.958, differences
# numpy 5e-7, raw at most 1e-7, layers 0 (the raw level's loss, tf.nn.sigmoid_cross_entropy_with_logits, is
# Keras's formula written another way, so its last bits may differ). The last cell of section 5 fails (an `assert`) if any level parts from keras
# by more than 1e-5.

# %%
QUICK = False  # True: seconds per section (what CI runs); False: the full sizes, for a live session
from workshop.lessons.lesson import Lesson

lesson = Lesson("levels-logistic", quick=QUICK)

# %% [markdown]
# ## 1. The data
#
# The 8×8 digits, only the 8s and the 1s: y = 1.0 for an 8, 0.0 for a 1, as a column (n, 1) like the model's
# output. `same` holds the settings every level trains with below — one seed, plain SGD, learning rate 1.0,
# batches of 32 — so nothing but the level changes.

# %%
from workshop.config import TrainConfig
from workshop.lessons import side_by_side
from workshop.training.prepare import prepare

same = dict(model="logistic", optimizer="sgd", learning_rate=1.0, batch_size=32, seed=0,
            epochs=5 if lesson.quick else 80)
config = TrainConfig(**same).resolved()
data = prepare(config)
lesson.say(side_by_side.describe(data))
lesson.say(f"class 0 = digit {data.class_names[0]}, class 1 = digit {data.class_names[1]}")

# %% [markdown]
# ## 2. The model at each level
#
# ### numpy: you write the sigmoid *and* the gradient
# The model outputs the logit `z = x·w + b`; `sigmoid(z)` is the probability of an 8. The gradient of the mean
# cross-entropy by `z` is simply `(sigmoid(z) - y) / n` — the sigmoid's slope cancels against the log's — and
# `z = x·w + b` hands it on as `xᵀ · delta` to `w` and `sum(delta)` to `b`.

# %%
import inspect

from workshop.algorithms import logistic_keras, logistic_layers, logistic_numpy, logistic_raw

print(inspect.getsource(logistic_numpy.Logistic))

# %% [markdown]
# ### raw: you write the logit, TensorFlow finds the gradients
# `w` and `b` as `tf.Variable`s in a `tf.Module`. No gradient by hand: the loop records the forward pass on a
# `tf.GradientTape`. The loss, `tf.nn.sigmoid_cross_entropy_with_logits`, applies the sigmoid itself, in a form
# that cannot overflow.

# %%
print(inspect.getsource(logistic_raw.Logistic))

# %% [markdown]
# ### layers: `Flatten` and a `Dense(1)` hold it all
# The `Dense` layer owns `w` (its kernel, (64, 1)) and `b`; it has no activation, so it returns the logit and
# `BinaryCrossentropy(from_logits=True)` applies the sigmoid inside the loss. The loop is still ours, with a
# Keras optimizer making the update.

# %%
print(inspect.getsource(logistic_layers.Logistic))

# %% [markdown]
# ### keras: a Sequential and `fit`
# The same two layers in a `keras.Sequential`; `compile` and `fit` do everything else.

# %%
print(inspect.getsource(logistic_keras.build))

# %% [markdown]
# ## 3. The training loop at each level
#
# | level | loop | who computes the gradients | who updates the weights |
# |---|---|---|---|
# | numpy | `workshop/training/numpy_loop.py` | the model's own `gradients()` | the loop: `w -= learning_rate * g` |
# | raw | `workshop/training/raw_loop.py` | `tf.GradientTape` | the loop: `w.assign_sub(learning_rate * g)` |
# | layers | `workshop/training/layers_loop.py` | `tf.GradientTape` | a Keras optimizer |
# | keras | `workshop/training/keras_fit.py` | `model.fit` | `model.fit` |
#
# Here is the layers one: `fit` written out. `train_step` takes the gradients on a tape and hands them to
# `optimizer.apply_gradients`; `keras.metrics` keep the running loss and accuracy; the callbacks (TensorBoard,
# the progress line, the NaN guard) get the same calls `fit` would make. The other loops have the same shape:
# read them with `from workshop.training import raw_loop`, then `print(inspect.getsource(raw_loop.fit))`.

# %%
from workshop.training import layers_loop

print(inspect.getsource(layers_loop.fit))

# %% [markdown]
# ## 4. Train it at each level
#
# Same seed, so the same start weights: drawn once in NumPy (`workshop/algorithms/weights.py`) and copied into
# every level. Same batches in the same order: each epoch's order is drawn in NumPy too (`epoch_orders` in
# `workshop/data/pipeline.py`) and every level reads it. And plain SGD, the update every level writes the same
# way. Each run is logged into `logs/levels-logistic/` and its model saved beside this lesson's figures.

# %%
summaries = {api: lesson.train(api=api, **same, save=side_by_side.model_path(lesson, config, api))
             for api in ("numpy", "raw", "layers", "keras")}

# %% [markdown]
# The levels side by side. Loss and accuracy agree to the digits shown; only the speed differs.

# %%
table = side_by_side.results(summaries)
lesson.say(side_by_side.show(table))

# %% [markdown]
# ## 5. The proof: the same weights
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
# ## 6. Watch it in TensorBoard
# This lesson's runs only: `logs/levels-logistic/`. In Scalars the four levels' `epoch_loss` and
# `epoch_accuracy` curves lie exactly on top of each other; switch runs on and off to see that each is there.

# %%
# %load_ext tensorboard
# %tensorboard --logdir {lesson.logdir}
