# %% [markdown]
# # The MLP at every level — NumPy, raw TensorFlow, Keras layers, Keras `fit`
#
# **What you will learn:** the same network — 64 pixels → 64 ReLU units → 10 digits — written four times,
# each level of the API doing by hand what the next one does for you: backpropagation in NumPy,
# `tf.GradientTape` on bare `tf.Variable`s, Keras layers in your own loop, and `compile` + `fit`. Then the
# proof that they are one algorithm: trained from the same start weights on the same batches, all four end
# with the same weights, to about a millionth.
#
# **How to run it:** `workshop run levels-mlp` (about 45 s on 2 CPU cores; `workshop run levels-mlp --quick`:
# about 10 s), or open `notebooks/levels-mlp.ipynb` in JupyterLab with `workshop lab`.
#
# **Expected results:** every level reaches the same accuracy, to the last digit. Full (20 epochs on the 1,294
# training digits): test accuracy 0.964 at every level, and the saved weights differ from the keras level's by
# at most numpy 6e-7, raw 0, layers 0. Quick (5 epochs on 256 digits): test accuracy 0.777, differences
# numpy 6e-8, raw 0, layers 0. The last cell of section 5 fails (an `assert`) if any level parts from
# keras by more than 1e-5.

# %%
QUICK = False  # True: seconds per section (what CI runs); False: the full sizes, for a live session
from workshop.lessons.lesson import Lesson

lesson = Lesson("levels-mlp", quick=QUICK)

# %% [markdown]
# ## 1. The data
#
# The 8×8 digits of scikit-learn: one image (8, 8, 1) per example, pixel values in [0, 1], labels 0–9. `same`
# holds the settings every level trains with below — one seed, plain SGD, one learning rate — so nothing but
# the level changes. `prepare` gives the data exactly as the training will see it (the quick size keeps the
# first 256 training digits).

# %%
from workshop.config import TrainConfig
from workshop.lessons import side_by_side
from workshop.training.prepare import prepare

same = dict(model="mlp", optimizer="sgd", learning_rate=0.1, seed=0,
            epochs=5 if lesson.quick else 20, max_examples=256 if lesson.quick else None)
config = TrainConfig(**same).resolved()
data = prepare(config)
lesson.say(side_by_side.describe(data))

# %% [markdown]
# ## 2. The model at each level
#
# ### numpy: you write the forward pass *and* the backward pass
# No TensorFlow at all. `forward` multiplies and adds, layer by layer; `gradients` is backpropagation written
# out: the softmax cross-entropy's gradient `(p - onehot) / n`, then back through each layer — `input.T @ delta`
# for the weights, and through the ReLU by keeping only the units that were on.

# %%
import inspect

from workshop.algorithms import mlp_keras, mlp_layers, mlp_numpy, mlp_raw

print(inspect.getsource(mlp_numpy.MLP))

# %% [markdown]
# ### raw: you write the forward pass, TensorFlow finds the gradients
# The same weights as `tf.Variable`s in a `tf.Module`, the same forward pass with `tf.matmul` and `tf.nn.relu`.
# There is no `gradients` method any more: the loop records the forward pass on a `tf.GradientTape` and asks it
# for the derivative of the loss by every variable. The whole of the numpy level's `gradients` becomes one line.

# %%
print(inspect.getsource(mlp_raw.MLP))

# %% [markdown]
# ### layers: Keras layers hold the weights, you still write the loop
# `keras.layers.Dense` owns its kernel and bias and computes `relu(x @ kernel + bias)`; a `keras.Model` subclass
# composes the layers. The training loop is still ours, but a Keras optimizer makes the update and Keras metrics
# keep the running means.

# %%
print(inspect.getsource(mlp_layers.MLP))

# %% [markdown]
# ### keras: you describe the network, `fit` does the rest
# The same layers in a `keras.Sequential`. Batching, gradients, the update, metrics, callbacks and the
# progress line all happen inside `model.fit`. This Sequential is also the form every TensorFlow level saves
# to `.keras`, so any saved model loads the same way.

# %%
print(inspect.getsource(mlp_keras.build))

# %% [markdown]
# ## 3. The training loop at each level
#
# One loop per level serves every algorithm; each fits on one screen:
#
# | level | loop | who computes the gradients | who updates the weights |
# |---|---|---|---|
# | numpy | `workshop/training/numpy_loop.py` | the model's own `gradients()` | the loop: `w -= learning_rate * g` |
# | raw | `workshop/training/raw_loop.py` | `tf.GradientTape` | the loop: `w.assign_sub(learning_rate * g)` |
# | layers | `workshop/training/layers_loop.py` | `tf.GradientTape` | a Keras optimizer |
# | keras | `workshop/training/keras_fit.py` | `model.fit` | `model.fit` |
#
# Here is the raw one, the heart of TensorFlow's custom training: `train_step` records the forward pass, plays
# it backwards and updates each variable. `compiled_steps` makes it fast (a graph, several batches per call)
# without changing which batches it reads or in what order. Read the others the same way:
# `from workshop.training import layers_loop`, then `print(inspect.getsource(layers_loop.fit))`.

# %%
from workshop.training import raw_loop

print(inspect.getsource(raw_loop.fit))

# %% [markdown]
# ## 4. Train it at each level
#
# Same seed, so the same start weights: `workshop/algorithms/weights.py` draws them once, in NumPy, and every
# level copies them in. Same batches in the same order: the order of each epoch is drawn in NumPy too
# (`epoch_orders` in `workshop/data/pipeline.py`), and every level reads it — the numpy loop directly, the
# TensorFlow levels through `tf.data`. And plain SGD, `w -= learning_rate * g`, the one update every level
# writes the same way. Each run is logged into `logs/levels-mlp/` and its model saved beside this lesson's
# figures.

# %%
summaries = {api: lesson.train(api=api, **same, save=side_by_side.model_path(lesson, config, api))
             for api in ("numpy", "raw", "layers", "keras")}

# %% [markdown]
# The levels side by side. Loss and accuracy agree to the digits shown; only the speed differs (on a model
# this small the numpy level is often the fastest: TensorFlow's per-step overhead outweighs its faster math).

# %%
table = side_by_side.results(summaries)
lesson.say(side_by_side.show(table))

# %% [markdown]
# ## 5. The proof: the same weights
#
# Read every saved model back from its file, as any user of it would, and take its weights in Keras order
# (`saved_view` gives one face to a `.keras` and an `.npz` model).

# %%
weights = side_by_side.saved_weights(summaries)  # {level: its weights, read back from its file}

# %% [markdown]
# Now compare each level with the keras level, weight by weight. raw and layers run TensorFlow's own ops in
# Keras's order (the raw MLP even adds its bias with `tf.nn.bias_add`, as Keras does), so they match bit for
# bit. The numpy level does the same arithmetic in NumPy, whose sums add up in another order, so the last bit
# of a float32 may differ — about 1e-7 of a weight. Anything above 1e-5 would mean a level computes something else: then
# this cell fails, and so does the notebook. The first line shows that training really moved the weights, so
# "equal" is not the trivial "nothing happened".

# %%
differences = side_by_side.same_weights(lesson, weights, reference="keras",
                                        start=side_by_side.start_weights(config, data))

# %% [markdown]
# ### Try it
# Swap plain SGD for Adam: set `optimizer="adam", learning_rate=0.01` in `same` (section 1) and run the
# notebook again, or compare `workshop train mlp --api numpy --optimizer adam --lr 0.01` with `--api keras`.
# Adam divides each step by the square root of a running mean of g², which magnifies last-bit differences: at
# the full size we measured numpy 4e-5 and raw 5e-6 away from keras after 20 epochs — the same algorithm, no
# longer the same bits, and the `assert` of section 5 says so.

# %% [markdown]
# ## 6. Watch it in TensorBoard
# This lesson's runs only: `logs/levels-mlp/`. In Scalars the four levels' `epoch_loss` and `epoch_accuracy`
# curves lie exactly on top of each other; switch runs on and off to see that each is there.

# %%
# %load_ext tensorboard
# %tensorboard --logdir {lesson.logdir}
