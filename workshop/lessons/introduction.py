# %% [markdown]
# # Introduction — how networks learn
#
# **What you will learn:** the perceptron rule and why it cannot learn XOR; that one sigmoid
# neuron *is* logistic regression, and its gradient by hand, checked against `tf.GradientTape`;
# the same neuron as a `keras.Sequential`, trained by `fit` with Keras's TensorBoard callback;
# backpropagation through a hidden layer; linear regression "the deep learning way"; SGD vs
# batch gradient descent; hand-made features (edge filters, pooling, fingerprints) vs features
# learned by optimization; train / validation / test splits; overfitting.
#
# **How to run it:** open `notebooks/introduction.ipynb` (`.venv/bin/workshop lab` starts
# JupyterLab), or run the whole lesson as a script: `.venv/bin/workshop run introduction`
# (about 40 s on a 2-core laptop; `--quick`: about 20 s). `workshop lesson introduction` prints it.
#
# **Expected results:** nine figures in `logs/introduction/figures-<time>/`. The perceptron learns
# OR (4 of 4 rows right) and never XOR: it keeps making mistakes every epoch, and its final line
# gets 2 of the 4 rows right (from zero weights; 1 or 2 depending on where it starts). The
# gradients by hand and by GradientTape agree to about 1e-8 (float32 rounding), for the output
# neuron and through the hidden layer; the Keras neuron tells all 29 validation 8s and 1s apart
# (accuracy 1.000 after 10 epochs, quick, or 30). Batch gradient descent ends at a = 2.091,
# b = −0.894: the best line through these 30 noisy points (least squares gives the same to
# 1e-6), not the true a = 2.09, b = −0.92; SGD jitters around it (b between −0.86 and −0.89).
# Hand-made filters tell real MNIST 8s from 1s with accuracy 0.975 on the 200 test images
# (TP 98, FN 2, FP 3, TN 97); learned filters reach 0.990 after 10 epochs (quick) and after 20
# (full). The oversized MLP's
# validation loss is lowest at epoch 12 (0.545) and then climbs: 0.647 after 40 epochs (quick),
# 0.707 after 100 (full), while its training loss falls below 0.001.

# %%
QUICK = False  # True: seconds per section (what CI runs); False: the full sizes, for a live session
from workshop.lessons.lesson import Lesson

lesson = Lesson("introduction", quick=QUICK)

# %% [markdown]
# ## 1. The perceptron
#
# A perceptron is one node with a *step* activation: it answers 1 when `w · [1, x] > 0`, else 0
# (`w[0]` is the bias; its input is always 1). Rosenblatt's rule learns `w` one example at a time:
#
#     error = y − prediction          w ← w + learning_rate · error · [1, x]
#
# A right answer changes nothing; a wrong one nudges the line towards the example. The package's
# perceptron is `workshop/algorithms/perceptron_numpy.py` (and the same rule in tf ops,
# `perceptron_raw.py`). Here it learns two truth tables from zero weights.

# %%
from workshop.lessons import neurons

gates = neurons.perceptrons(lesson)
gates

# %% [markdown]
# On OR the mistakes reach zero within a few epochs and the final line gets every row right. On
# XOR they never do: (0,1) and (1,0) must be on one side, (0,0) and (1,1) on the other, and no
# straight line does that. Two numbers tell the story, and they are different things: the
# *mistakes made while learning* (the rule moves `w` after each one, so XOR keeps making them
# every epoch) and what the *final weights* get right (2 of the 4 XOR rows here). One node draws
# one line; XOR needs a hidden layer. `workshop train perceptron` logs the same rule to TensorBoard:

# %%
for gate in ("or", "xor"):
    s = lesson.train(model="perceptron", api="numpy", dataset=gate, epochs=25, group="perceptron")
    print(f"{gate}: converged {s['converged']}, mistakes while learning in the last epoch "
          f"{s['errors_per_epoch'][-1]}, final weights get {s['train_accuracy']:.0%} of the rows right")

# %% [markdown]
# In TensorBoard, the two runs of this question alone (`logs/introduction/perceptron/`): `epoch_loss` is the
# fraction of rows the weights get wrong after each epoch — OR's falls to 0 and stops, XOR's never settles.

# %%
# %load_ext tensorboard
# %tensorboard --logdir {lesson.logdir}/perceptron

# %% [markdown]
# ### Your turn: the perceptron update
# Write one step of the rule: given the weights `w` (bias first), one example `x` and its label
# `y`, return the new weights. Stuck? `exercises.hint("perceptron_update")`; and
# `exercises.solution("perceptron_update")` shows one answer.

# %%
from workshop import exercises


def perceptron_update(w, x, y, learning_rate):
    """w (1 + d,) bias first, x (d,), y in {0, 1} -> the weights after one step of the rule."""
    return None  # your code here


exercises.check("perceptron_update", perceptron_update)

# %% [markdown]
# ## 2. One sigmoid neuron is logistic regression
#
# Replace the step by the logistic function σ(z) = 1 / (1 + e^−z) and the answer becomes a
# probability, smooth in the weights — so it has a gradient. One such neuron, trained with the
# binary cross-entropy loss, is exactly **logistic regression** (`workshop train logistic`:
# 8s against 1s). For this loss the chain rule collapses to one line per parameter:
#
#     p = σ(x·w + b)      dL/dz = (p − y) / N      dL/dw = xᵀ · dL/dz      dL/db = Σ dL/dz
#
# Below, both ways on the 8s and 1s, from the same weights: the formulas in NumPy, and
# `tf.GradientTape`, which records the forward pass and the loss on `tf.Variable`s and plays them
# backwards (the package does the same in `workshop/algorithms/logistic_numpy.py` and `logistic_raw.py`).

# %%
import numpy as np

from workshop.config import TrainConfig
from workshop.tf_env import tf
from workshop.training.prepare import prepare

data = prepare(TrainConfig(model="logistic").resolved())  # the 8s (y = 1) and the 1s (y = 0) of the digits
x, y = data.x_train.reshape(len(data.x_train), -1), data.y_train  # x (n, 64) pixels, y (n, 1)
rng = np.random.default_rng(0)
w, b = rng.normal(0, 0.1, (64, 1)).astype(np.float32), rng.normal(0, 0.1, 1).astype(np.float32)

# by hand: the chain rule, one line per parameter
p = 1 / (1 + np.exp(-(x @ w + b)))
dz = (p - y) / len(x)
dw_hand, db_hand = x.T @ dz, dz.sum(axis=0)

# by tf.GradientTape: record the forward pass and the loss, then ask for d loss / d each variable
w_var, b_var = tf.Variable(w), tf.Variable(b)
with tf.GradientTape() as tape:
    z = tf.matmul(x, w_var) + b_var
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z))
dw_tape, db_tape = tape.gradient(loss, [w_var, b_var])

lesson.say(f"largest difference, by hand vs GradientTape: dw {np.abs(dw_hand - dw_tape).max():.1e}, "
           f"db {np.abs(db_hand - db_tape).max():.1e}")
neurons.draw_gradients(lesson, dw_hand, dw_tape)

# %% [markdown]
# All 64 points lie on the diagonal, and the bias agrees too. That is all backpropagation is: the
# chain rule, applied mechanically.
#
# ### The same neuron in Keras
# One neuron is one `Dense(1)` layer: its kernel is `w`, its bias `b`, and without an activation it
# outputs `z`; `BinaryCrossentropy(from_logits=True)` applies the sigmoid inside the loss. `compile`
# chooses the loss and the optimizer, `fit` runs the epochs — the tape, the update, the validation —
# and Keras's TensorBoard callback writes the curves as it goes.

# %%
from workshop.tf_env import keras

keras.utils.set_random_seed(0)  # the same start weights every run
neuron = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(1)])  # z = x . w + b
neuron.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0),
               loss=keras.losses.BinaryCrossentropy(from_logits=True),
               metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")])  # z > 0: "an 8"
history = neuron.fit(x, y, validation_data=(data.x_val.reshape(len(data.x_val), -1), data.y_val),
                     epochs=10 if lesson.quick else 30, batch_size=32, verbose=0,
                     callbacks=[keras.callbacks.TensorBoard(log_dir=str(lesson.logdir / "neuron" / "sequential"))])
lesson.say(f"validation accuracy after {len(history.history['loss'])} epochs: {history.history['val_accuracy'][-1]:.3f}")

# %% [markdown]
# This question's run alone (`logs/introduction/neuron/`): the callback's `train/` and `validation/`
# curves of `epoch_loss` and `epoch_accuracy`, and the kernel's and bias's histograms if you ask it for
# them (`histogram_freq=1`).

# %%
# %tensorboard --logdir {lesson.logdir}/neuron
#
# ### Your turn: the logistic neuron's gradient
# Write `dL/dw` and `dL/db` for a batch, with the formulas above.

# %%
def logistic_gradients(x, y, w, b):
    """x (n, d), y (n, 1) in {0, 1}, w (d, 1), b (1,) -> (dw (d, 1), db (1,)) of the mean cross-entropy."""
    return None  # your code here


exercises.check("logistic_gradients", logistic_gradients)

# %% [markdown]
# ## 3. Backpropagation through a hidden layer
#
# With a hidden layer, the error at the output has to be passed back through the output
# weights and through the hidden layer's activation (ReLU: its slope is 1 where the unit was
# active, 0 elsewhere) before it reaches the first layer's weights:
#
#     delta_out = (softmax(z) − onehot(y)) / N        dW2 = hᵀ · delta_out      db2 = Σ delta_out
#     delta_h   = (delta_out · W2ᵀ) ⊙ [h > 0]          dW1 = xᵀ · delta_h        db1 = Σ delta_h
#
# `workshop/algorithms/mlp_numpy.py` does this for any number of hidden layers; here it is
# checked, weight by weight, against GradientTape on the same network as `tf.Variable`s
# (`mlp_raw.py`), on 64 digits:

# %%
from workshop.algorithms.mlp_numpy import MLP
from workshop.algorithms.mlp_raw import MLP as RawMLP
from workshop.algorithms.shapes import kernel_shapes
from workshop.algorithms.weights import initial_weights
from workshop.data import load

digits = load("digits")
x, y = digits.x_train[:64], digits.y_train[:64]
weights = initial_weights(kernel_shapes("mlp", (8, 8, 1), 10, (16,)), seed=3)  # 64 -> 16 ReLU -> 10

loss_hand, grads_hand = MLP(weights).gradients(x, y)  # backpropagation, written out layer by layer

raw = RawMLP(weights)  # the same weights as tf.Variables
with tf.GradientTape() as tape:
    loss_tape = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=raw(x)))
grads_tape = tape.gradient(loss_tape, raw.params)

neurons.draw_hidden_layer(lesson, grads_hand, grads_tape)

# %% [markdown]
# ### Your turn: one backprop step through a hidden layer

# %%
def hidden_layer_backprop(x, y, w1, b1, w2, b2):
    """x (n, d), y int (n,), a ReLU hidden layer (w1, b1), logits h @ w2 + b2 -> (dw1, db1, dw2, db2)
    of the mean softmax cross-entropy."""
    return None  # your code here


exercises.check("hidden_layer_backprop", hidden_layer_backprop)

# %% [markdown]
# ## 4. Linear regression the deep learning way
#
# `y = a·x + b` is a network of one node with no activation. Instead of solving it with a
# formula, start from the seed's weights and repeat: predict, measure the mean squared error,
# step against its gradient. Here the numpy level (`linear_numpy.py`, trained by
# `workshop/training/numpy_loop.py`) does it twice:
#
# - **batch gradient descent** averages the gradient over all 30 points: one smooth step per epoch;
# - **SGD** (`--batch-size 1`) takes a step per point: 30 noisy steps per epoch, which gets close
#   sooner and then jitters. Mini-batches (32 elsewhere in the workshop) sit in between.

# %%
line = neurons.linear_regression(lesson, epochs=20 if lesson.quick else 60)
line

# %% [markdown]
# Neither ends at the *true* line (a = 2.09, b = −0.92, dashed): both end at the line that best
# fits *these 30 noisy points* (dash-dot), which is what least squares computes exactly. The
# difference (b ≈ −0.894 instead of −0.92) is the noise in the sample, not a failure of gradient
# descent: with more points the two lines come together. The same model at the keras level,
# logged for TensorBoard:

# %%
for batch_size, learning_rate in ((30, 0.5), (1, 0.05)):
    s = lesson.train(model="linear", api="keras", batch_size=batch_size, learning_rate=learning_rate,
                     epochs=20 if lesson.quick else 60, group="linear")
    print(f"batch_size {batch_size:2}: a = {s['a']:.3f}, b = {s['b']:.3f}   (true {s['true_a']}, {s['true_b']})")

# %% [markdown]
# The two runs in TensorBoard (`logs/introduction/linear/`): batch GD's loss falls smoothly, SGD's
# reaches the noise floor sooner and jitters there.

# %%
# %tensorboard --logdir {lesson.logdir}/linear

# %% [markdown]
# ## 5. Hand-made features vs learned features
#
# Before deep learning, people designed features. The classic way (`workshop/lessons/features.py`):
#
# 1. A 3×3 **top-edge filter** (+1 row above, −1 row below) and its seven 45° rotations: 8 filters
#    for straight and diagonal edges.
# 2. **Correlation** slides a filter over the 28×28 image (real MNIST digits: the 8s and 1s of
#    `mnist5k`, offline). Convolution is the same with the filter turned 180°; deep learning
#    libraries compute correlation and call it convolution.
# 3. **7×7 max pooling** keeps the strongest response in each block: every filtered image becomes a
#    4×4 grid. The eight grids are the image's **fingerprint** (8 × 4 × 4 = 128 numbers).
# 4. The average fingerprints of the training 8s and 1s become templates; a test image is called an
#    8 when its fingerprint correlates better with the 8-template.

# %%
from workshop.lessons import features

filters = features.edge_filters()
x_train, y_train, x_test, y_test, source = features.images_8_vs_1()
print(f"{len(x_train)} training and {len(x_test)} test images of 8s and 1s, 28x28, from {source}")
print("correlation vs convolution (filter turned 180°), largest difference:",
      features.correlation_vs_convolution(x_test[0], filters[1]))
features.show_filters(lesson, [("hand-made", filters)], "edge_filters", "The top-edge filter and its 7 rotations")

# %% [markdown]
# ### Your turn: correlation
# Slide a kernel over an image and sum the products at every position where it fits ("valid").

# %%
def correlate2d(image, kernel):
    """image (H, W), kernel (kh, kw) -> (H - kh + 1, W - kw + 1): sum of image patch * kernel at each position."""
    return None  # your code here


exercises.check("correlate2d", correlate2d)

# %% [markdown]
# The fingerprints, and the template classifier's verdicts as a 2×2 table, 8 being the positive class:
#
# |            | predicted 8 | predicted 1 |
# |---|---|---|
# | actual 8   | true positive (TP)  | false negative (FN) |
# | actual 1   | false positive (FP) | true negative (TN)  |
#
# **Sensitivity** = TP / (TP + FN), the share of 8s found. **Specificity** = TN / (TN + FP), the share
# of 1s correctly left out.

# %%
y_pred, avg8, avg1 = features.template_classifier(x_train, y_train, x_test, filters)
features.show_fingerprints(lesson, x_test[y_test == 1][0], filters, avg8, avg1)
handmade = features.confusion(y_test, y_pred)
assert handmade["true_positives"] + handmade["false_negatives"] == int(y_test.sum())  # the table adds up
assert sum(handmade[k] for k in ("true_positives", "false_negatives", "false_positives", "true_negatives")) == len(y_test)
print(features.format_table(handmade))

# %% [markdown]
# Now the same network shape — 8 filters of 3×3, 7×7 max pooling, one output — starts from
# *random* filters and lets optimization choose them (a small Keras model, logged by Keras's own
# `keras.callbacks.TensorBoard` under `logs/introduction/learned-filters-*`):

# %%
epochs = 10 if lesson.quick else 20
learned, y_learned = features.learned_filters(lesson, x_train, y_train, x_test, epochs)
trained = features.confusion(y_test, y_learned)
print(features.format_table(trained))
features.show_filters(lesson, [("hand-made", filters), ("learned", learned)], "learned_vs_handmade_filters",
                      "Hand-made edge filters (top) and the filters optimization found (bottom)")
features.show_table(lesson, {"hand-made filters + templates": handmade, "learned filters + dense": trained})
print(f"accuracy: hand-made {handmade['accuracy']:.3f}, learned after {epochs} epochs {trained['accuracy']:.3f}")

# %% [markdown]
# Some learned filters look like edges, others like nothing a person would draw — and after 10
# epochs they already beat ours (0.990 against 0.975 on the 200 test images, the same after 20;
# only 3 epochs would give 0.965, below ours, so it does take some training). That is the point of
# deep learning: the features are learned.
#
# ## 6. Train, validation, test — and overfitting
#
# - **train**: the examples the weights are fitted to;
# - **validation**: the examples used to choose everything else (epochs, sizes, learning rates):
#   the model never trains on them, but we tune on them;
# - **test**: looked at once, at the end, to report how the chosen model does on data nobody used
#   for any decision. Tune on it and it stops measuring anything.
#
# A far too big MLP (512 hidden nodes) on only 100 digits: the curves are read back from the
# run's own TensorBoard files.

# %%
from workshop.lessons import overfitting

overfitting.overfit(lesson, epochs=40 if lesson.quick else 100)

# %% [markdown]
# The training loss goes to nearly zero — it memorises the 100 images (left). The validation loss
# falls for a dozen epochs, is lowest at epoch 12, then turns up (right, its axis zoomed to show
# the turn): from there on, what the network learns is specific to those 100 images. Stop at the
# validation minimum, get more data, or make the model smaller or regularised (dropout, weight decay).
#
# ## Watch it in TensorBoard
# The overfitting run alone (`logs/introduction/overfitting/`): in Scalars the training loss falls to
# nearly 0 while the validation loss turns up after epoch 12. (`workshop tensorboard --logdir
# logs/introduction` shows every run of the lesson, the figures under Images.)

# %%
# %tensorboard --logdir {lesson.logdir}/overfitting

# %% [markdown]
# ## Try it
#
#     workshop train perceptron --dataset xor
#     workshop train linear --batch-size 1 --lr 0.05
#     workshop train mlp --hidden 512 --epochs 100      # then compare the curves in TensorBoard
