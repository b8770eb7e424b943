# %% [markdown]
# # Linear regression at every level — NumPy, raw TensorFlow, Keras layers, Keras `fit`
#
# **What you will learn:** the smallest model there is, `y = a·x + b`, fitted by gradient descent four times:
# with the gradients of the mean squared error written in NumPy, with `tf.GradientTape` finding them, with a
# Keras `Dense(1)` layer in your own loop, and with `compile` + `fit`. Then the proof that the four are one
# algorithm: from the same start, on the same batches, they end with the same `a` and `b`.
#
# **How to run it:** `workshop run levels-linear` (about 25 s on 2 CPU cores; `workshop run levels-linear
# --quick`: about 10 s), or open `notebooks/levels-linear.ipynb` in JupyterLab with `workshop lab`.
#
# **Expected results:** the data were made with a = 2.09 and b = −0.92 plus noise; every level finds
# a = 2.0906, b = −0.8937 (the best line through these 30 noisy points) and a training loss of 0.0090 (full,
# 100 epochs). Quick (20 epochs) ends within 1e-4 of that, a = 2.0905: batch gradient descent at learning rate
# 0.5 has all but converged after 20 steps. The saved weights of numpy, raw and layers differ from keras's by
# exactly 0 at both sizes; the last cell of section 5 fails (an `assert`) if any level parts from keras by more
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
# and batches of all 30 points — so each step is one step of *batch* gradient descent.

# %%
from workshop.config import TrainConfig
from workshop.lessons import side_by_side
from workshop.training.prepare import prepare

same = dict(model="linear", optimizer="sgd", learning_rate=0.5, batch_size=30, seed=0,
            epochs=20 if lesson.quick else 100)
config = TrainConfig(**same).resolved()
data = prepare(config)
lesson.say(side_by_side.describe(data))
lesson.say(f"made with a = {data.extra['a']}, b = {data.extra['b']}")

# %% [markdown]
# ## 2. The model at each level
#
# ### numpy: you write the prediction *and* its gradients
# The loss is `mean((y_pred - y)²)`; its derivative by `y_pred` is `2 (y_pred - y) / n`, and `y_pred = x·a + b`
# hands it on as `xᵀ · delta` to `a` and `sum(delta)` to `b`. Two lines of calculus, written by hand.

# %%
import inspect

from workshop.algorithms import linear_keras, linear_layers, linear_numpy, linear_raw

print(inspect.getsource(linear_numpy.Linear))

# %% [markdown]
# ### raw: you write the prediction, TensorFlow finds the gradients
# `a` and `b` become `tf.Variable`s in a `tf.Module`. The `gradients` method is gone: the training loop
# records `x @ a + b` on a `tf.GradientTape` and asks it for `d loss / d a` and `d loss / d b`.

# %%
print(inspect.getsource(linear_raw.Linear))

# %% [markdown]
# ### layers: a Keras `Dense(1)` is `y = a·x + b`
# A `Dense` layer with one input and one unit holds exactly `a` (its kernel, shape (1, 1)) and `b` (its bias).
# Keras creates and tracks them; our own loop still runs the steps, with a Keras optimizer for the update.

# %%
print(inspect.getsource(linear_layers.Linear))

# %% [markdown]
# ### keras: a Sequential and `fit`
# The same `Dense(1)` in a `keras.Sequential`; `compile` picks the loss (mean squared error) and the optimizer,
# `fit` runs everything else.

# %%
print(inspect.getsource(linear_keras.build))

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
# Here is the numpy one, where nothing is hidden: for each epoch, for each batch (in the order drawn for that
# epoch), take the gradients and step against them; then score the validation split. Keras callbacks only
# carry the numbers to the progress line and to TensorBoard. The other loops have the same shape: read them
# with `from workshop.training import raw_loop`, then `print(inspect.getsource(raw_loop.fit))`.

# %%
from workshop.training import numpy_loop

print(inspect.getsource(numpy_loop.fit))

# %% [markdown]
# ## 4. Train it at each level
#
# Same seed, so the same start: `a` and `b` are drawn once in NumPy (`workshop/algorithms/weights.py`) and
# every level copies them in. Same batches in the same order (here simply all 30 points every step). And plain
# SGD, the update every level writes the same way. Each run is logged into `logs/levels-linear/` and its model
# saved beside this lesson's figures.

# %%
summaries = {api: lesson.train(api=api, **same, save=side_by_side.model_path(lesson, config, api))
             for api in ("numpy", "raw", "layers", "keras")}

# %% [markdown]
# The levels side by side: the `a` and `b` each found, beside the true ones. They are not quite the true
# values — 30 noisy points do not pin the line down exactly — but every level finds the same best line.

# %%
table = side_by_side.results(summaries)
lesson.say(side_by_side.show(table))

# %% [markdown]
# ## 5. The proof: the same weights
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
# ## 6. Watch it in TensorBoard
# This lesson's runs only: `logs/levels-linear/`. In Scalars the four levels' `epoch_loss` curves lie exactly on
# top of each other; switch runs on and off to see that each is there.

# %%
# %load_ext tensorboard
# %tensorboard --logdir {lesson.logdir}
