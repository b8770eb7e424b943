# %% [markdown]
# # The CNN at every level — raw TensorFlow, Keras layers, Keras `fit`
#
# **What you will learn:** a small convolutional network — conv 3×3 → max-pool → conv 3×3 → max-pool →
# dense — written three times: from `tf.nn.conv2d` and `tf.nn.max_pool2d` on bare `tf.Variable`s, from Keras
# layers in your own loop, and as a `keras.Sequential` trained by `fit`. Then the proof that the three are one
# algorithm: from the same start weights, on the same batches, they end with the same 21,386 weights. (There
# is no numpy level: a convolution's backward pass by hand teaches less than it costs.)
#
# **How to run it:** `workshop run levels-cnn` (about 15-30 s on 2 CPU cores; `workshop run levels-cnn --quick`:
# about 10 s), or open `notebooks/levels-cnn.ipynb` in JupyterLab with `workshop lab`.
#
# **Expected results:** every level reaches the same accuracy, to the last digit, and ends with the very same
# weights as the keras level, bit for bit (largest difference 0; full: 10 epochs on the 1,294 training digits,
# test accuracy 0.936; quick: 2 epochs on 512 digits, test accuracy 0.362). Plain SGD without dropout
# keeps the comparison exact (section 1 says why); `workshop train cnn` (Adam, dropout 0.5, 15 epochs) reaches
# 0.97 or more. The last cell of section 5 fails (an `assert`) if any level parts from keras by more than 1e-5.

# %%
QUICK = False  # True: seconds per section (what CI runs); False: the full sizes, for a live session
from workshop.lessons.lesson import Lesson

lesson = Lesson("levels-cnn", quick=QUICK)

# %% [markdown]
# ## 1. The data
#
# The 8×8 digits: images (n, 8, 8, 1) with pixel values in [0, 1], labels 0–9. `same` holds the settings
# every level trains with below: one seed, plain SGD, learning rate 0.1 — and `dropout=0.0`. Dropout zeroes a
# random half of the features at every step, and the raw level draws its masks with `tf.nn.dropout` while the
# Keras levels draw theirs with `keras.layers.Dropout`'s own generator: different masks, so different networks
# are trained (with dropout 0.5 at the quick size we measured raw 0.03 away from keras after 2 epochs). With
# dropout off the levels compute the same math, and the comparison means something.

# %%
from workshop.config import TrainConfig
from workshop.lessons import side_by_side
from workshop.training.prepare import prepare

same = dict(model="cnn", optimizer="sgd", learning_rate=0.1, dropout=0.0, seed=0,
            epochs=2 if lesson.quick else 10, max_examples=512 if lesson.quick else None)
config = TrainConfig(**same).resolved()
data = prepare(config)
lesson.say(side_by_side.describe(data))

# %% [markdown]
# ## 2. The model at each level
#
# ### raw: you write every operation, TensorFlow finds the gradients
# The weights are `tf.Variable`s in a `tf.Module`; the forward pass calls the ops by name: `tf.nn.conv2d`,
# `tf.nn.relu`, `tf.nn.max_pool2d`, `tf.reshape` (in the order Keras's `Flatten` uses), `tf.matmul`. You choose
# the padding and the shapes yourself. The training loop takes the gradients with `tf.GradientTape`.

# %%
import inspect

from workshop.algorithms import cnn_keras, cnn_layers, cnn_raw

print(inspect.getsource(cnn_raw.CNN))

# %% [markdown]
# ### layers: Keras layers hold the weights, you still write the loop
# `Conv2D`, `MaxPooling2D`, `Flatten`, `Dropout` and `Dense` create their own weights with the right shapes and
# compute the same ops; a `keras.Model` subclass composes them. The loop is still ours, with a Keras optimizer.

# %%
print(inspect.getsource(cnn_layers.CNN))

# %% [markdown]
# ### keras: you describe the network, `fit` does the rest
# The same layers in a `keras.Sequential`, in the spirit of Keras's "Simple MNIST convnet" example. This is
# also the form every level saves to `.keras`.

# %%
print(inspect.getsource(cnn_keras.build))

# %% [markdown]
# ## 3. The training loop at each level
#
# | level | loop | who computes the gradients | who updates the weights |
# |---|---|---|---|
# | raw | `workshop/training/raw_loop.py` | `tf.GradientTape` | the loop: `w.assign_sub(learning_rate * g)` |
# | layers | `workshop/training/layers_loop.py` | `tf.GradientTape` | a Keras optimizer |
# | keras | `workshop/training/keras_fit.py` | `model.fit` | `model.fit` |
#
# Here is the keras one. It is short because `fit` does what the other two loops write out: batching, the
# tape, the update, the metrics, the callbacks. The two settings that matter for the comparison are visible:
# `shuffle=False` (the data pipeline already delivers each epoch in the order drawn from the seed) and
# `steps_per_execution` (several batches per compiled call: faster, the same batches in the same order).
# Read the others the same way: `from workshop.training import raw_loop`, then
# `print(inspect.getsource(raw_loop.fit))`.

# %%
from workshop.training import keras_fit

print(inspect.getsource(keras_fit.fit))

# %% [markdown]
# ## 4. Train it at each level
#
# Same seed, so the same start weights: drawn once in NumPy (`workshop/algorithms/weights.py`) and copied into
# every level. Same batches in the same order: each epoch's order is drawn in NumPy too (`epoch_orders` in
# `workshop/data/pipeline.py`). Plain SGD, the update every level writes the same way, and no dropout. Each run
# is logged into `logs/levels-cnn/` and its model saved beside this lesson's figures.

# %%
summaries = {api: lesson.train(api=api, **same, save=side_by_side.model_path(lesson, config, api))
             for api in ("raw", "layers", "keras")}

# %% [markdown]
# The levels side by side. Loss and accuracy agree to the digits shown; only the speed differs.

# %%
table = side_by_side.results(summaries)
lesson.say(side_by_side.show(table))

# %% [markdown]
# ## 5. The proof: the same weights
#
# Read every saved model back from its file, as any user of it would, and take its weights in Keras order:
# both kernels and biases of the convolutions, then the dense layer's.

# %%
weights = side_by_side.saved_weights(summaries)  # {level: its weights, read back from its file}

# %% [markdown]
# Compare each level with keras, weight by weight. The layers level runs the very ops `fit` runs, so it matches
# bit for bit; so does the raw level, which writes the same math with its own ops, down to adding the bias with
# `tf.nn.bias_add` as Keras does. Anything above 1e-5 would mean a level computes something else: then this cell
# fails, and so does the notebook. The first line shows that training moved the weights, so "equal" is not
# "nothing happened".

# %%
differences = side_by_side.same_weights(lesson, weights, reference="keras",
                                        start=side_by_side.start_weights(config, data))

# %% [markdown]
# Why `tf.nn.bias_add` and not `+ b`? They are the same math, but the bias's gradient is a sum over the batch,
# and float32 sums depend on the order they add in: with `+ b` the raw level's bias gradients differ from
# Keras's in the last bit. That is harmless until it decides something - a ReLU whose input is 1e-9 on one level
# and −1e-9 on the other, a max-pool between two nearly equal values - and from that step on the two runs follow
# different, equally good paths. With `+ b` we measured raw and keras within 1e-7 for three epochs, then
# 2e-4 apart in the fourth to sixth epoch for three seeds of four, and 1e-3 – 4e-3 by the tenth.

# %% [markdown]
# ### Try it
# The CNN as it is meant to be trained, at two levels: `workshop train cnn --api raw` and
# `workshop train cnn --api keras` (Adam, dropout 0.5, 15 epochs). Both reach 0.97 test accuracy or more
# (measured with seeds 0–2), and with their different dropout masks they are no longer equal weight for weight.

# %% [markdown]
# ## 6. Watch it in TensorBoard
# This lesson's runs only: `logs/levels-cnn/`. In Scalars the three levels' `epoch_loss` and `epoch_accuracy`
# curves lie exactly on top of each other; switch runs on and off to see that each is there.

# %%
# %load_ext tensorboard
# %tensorboard --logdir {lesson.logdir}
