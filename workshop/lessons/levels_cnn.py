# %% [markdown]
# # The CNN at every level — raw TensorFlow, Keras layers, Keras `fit`
#
# **What you will learn:** a small convolutional network — conv 3×3 → max-pool → conv 3×3 → max-pool →
# dense — written three times: from `tf.nn.conv2d` and `tf.nn.max_pool2d` on bare `tf.Variable`s, from Keras
# layers in your own loop, and as a `keras.Sequential` trained by `fit`. The cells below *are* the package's
# code (each model file of `workshop/algorithms/` and each loop of `workshop/training/`, copied in when the
# notebook was made): change any of them and train again. Then the proof that the three are one algorithm: from
# the same start weights, on the same batches, they end with the same 21,386 weights. (There is no numpy level:
# a convolution's backward pass by hand teaches less than it costs.)
#
# **How to run it:** `workshop run levels-cnn` (about 15-30 s on 2 CPU cores; `workshop run levels-cnn --quick`:
# about 10 s), or open `notebooks/levels-cnn.ipynb` in JupyterLab with `workshop lab`. Run a level's cells in
# order — model, loop, train: each level's cells define `create` and `fit` anew.
#
# **Expected results:** every level reaches the same accuracy, to the last digit, and ends with the very same
# weights as the keras level, bit for bit (largest difference 0; full: 10 epochs on the 1,294 training digits,
# test accuracy 0.936; quick: 2 epochs on 512 digits, test accuracy 0.362). Plain SGD without dropout
# keeps the comparison exact (section 1 says why); `workshop train cnn` (Adam, dropout 0.5, 15 epochs) reaches
# 0.97 or more. The last cell of section 6 fails (an `assert`) if any level parts from keras by more than 1e-5.

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
# dropout off the levels compute the same math, and the comparison means something. Every level's run goes
# into `logs/levels-cnn/levels/`, which section 7 opens.

# %%
from workshop.config import TrainConfig
from workshop.lessons import side_by_side
from workshop.training.prepare import prepare

same = dict(model="cnn", optimizer="sgd", learning_rate=0.1, dropout=0.0, seed=0,
            epochs=2 if lesson.quick else 10, max_examples=512 if lesson.quick else None)
config = TrainConfig(**same).resolved()
data = prepare(config)
lesson.say(side_by_side.describe(data))
summaries = {}  # {level: its run's summary}, filled section by section

# %% [markdown]
# ## 2. raw: you write every operation, TensorFlow finds the gradients
#
# The weights are `tf.Variable`s in a `tf.Module`; the forward pass calls the ops by name: `tf.nn.conv2d`,
# `tf.nn.relu`, `tf.nn.max_pool2d`, `tf.reshape` (in the order Keras's `Flatten` uses), `tf.matmul`. You choose
# the padding and the shapes yourself. (`workshop/algorithms/cnn_raw.py`)

# %%
# %inline workshop/algorithms/cnn_raw.py

# %% [markdown]
# The raw level's loop: `train_step` records the forward pass on a `tf.GradientTape`, plays it backwards and
# updates each variable by hand, `w.assign_sub(learning_rate * g)`; then the validation pass.

# %%
# %inline workshop/training/raw_loop.py

# %%
summaries["raw"] = lesson.train(api="raw", **same, group="levels", create=create, fit=fit,
                                save=side_by_side.model_path(lesson, config, "raw"))
side_by_side.say_run(lesson, summaries["raw"])

# %% [markdown]
# ## 3. layers: Keras layers hold the weights, you still write the loop
#
# `Conv2D`, `MaxPooling2D`, `Flatten`, `Dropout` and `Dense` create their own weights with the right shapes and
# compute the same ops; a `keras.Model` subclass composes them. (`workshop/algorithms/cnn_layers.py`)

# %%
# %inline workshop/algorithms/cnn_layers.py

# %% [markdown]
# The layers level's loop: the same tape, then `optimizer.apply_gradients` and `keras.metrics`.

# %%
# %inline workshop/training/layers_loop.py

# %%
summaries["layers"] = lesson.train(api="layers", **same, group="levels", create=create, fit=fit,
                                   save=side_by_side.model_path(lesson, config, "layers"))
side_by_side.say_run(lesson, summaries["layers"])

# %% [markdown]
# ## 4. keras: you describe the network, `fit` does the rest
#
# The same layers in a `keras.Sequential`, in the spirit of Keras's "Simple MNIST convnet" example
# (`workshop/algorithms/cnn_keras.py`). This is also the form every level saves to `.keras`.

# %%
# %inline workshop/algorithms/cnn_keras.py

# %% [markdown]
# `compile` + `fit` (`workshop/training/keras_fit.py`): batching, the tape, the update, the metrics and the
# callbacks all happen inside `model.fit`. The pipeline already delivers each epoch in the order drawn from the
# seed, which is what makes the comparison with the other two loops exact.

# %%
# %inline workshop/training/keras_fit.py

# %%
summaries["keras"] = lesson.train(api="keras", **same, group="levels", create=create, fit=fit,
                                  save=side_by_side.model_path(lesson, config, "keras"))
side_by_side.say_run(lesson, summaries["keras"])

# %% [markdown]
# ## 5. The levels side by side
#
# Loss and accuracy agree to the digits shown; only the speed differs.

# %%
table = side_by_side.results(summaries)
lesson.say(side_by_side.show(table))

# %% [markdown]
# ## 6. The proof: the same weights
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
# ## 7. Watch it in TensorBoard: three levels, one curve
# The runs of this question only: `logs/levels-cnn/levels/`, the three levels trained above. In Scalars the
# `epoch_loss` and `epoch_accuracy` of raw, layers and keras coincide exactly — three runs, one visible line
# each for training and validation. That is the proof again, not a missing run: switch runs on and off in the
# run list to see that each one is there.

# %%
# %load_ext tensorboard
# %tensorboard --logdir {lesson.logdir}/levels
