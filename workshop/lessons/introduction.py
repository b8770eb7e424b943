# %% [markdown]
# # Introduction — how networks learn
#
# **What you will learn:** the perceptron rule and why it cannot learn XOR; that one sigmoid
# neuron *is* logistic regression, and its gradient by hand, checked against `tf.GradientTape`;
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
# neuron and through the hidden layer. Batch gradient descent ends at a = 2.091, b = −0.894: the
# best line through these 30 noisy points (least squares gives the same to 1e-6), not the true
# a = 2.09, b = −0.92; SGD jitters around it (b between −0.86 and −0.89). Hand-made filters
# tell 8s from 1s with accuracy 0.887 on the 71 test images; learned filters reach 0.944 after
# 10 epochs (quick) and 0.972 after 20 (full). The oversized MLP's
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
    s = lesson.train(model="perceptron", api="numpy", dataset=gate, epochs=25)
    print(f"{gate}: converged {s['converged']}, mistakes while learning in the last epoch "
          f"{s['errors_per_epoch'][-1]}, final weights get {s['train_accuracy']:.0%} of the rows right")

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
# `workshop/algorithms/logistic_numpy.py` computes this by hand; `tf.GradientTape` records the
# raw level's forward pass (`logistic_raw.py`) and plays it backwards. Same weights, same data:

# %%
neurons.logistic_gradients_check(lesson)

# %% [markdown]
# All 65 points lie on the diagonal. That is all backpropagation is: the chain rule, applied
# mechanically.
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
# checked, weight by weight, against GradientTape on the raw MLP (`mlp_raw.py`):

# %%
neurons.hidden_layer_check(lesson)

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
                     epochs=20 if lesson.quick else 60)
    print(f"batch_size {batch_size:2}: a = {s['a']:.3f}, b = {s['b']:.3f}   (true {s['true_a']}, {s['true_b']})")

# %% [markdown]
# ## 5. Hand-made features vs learned features
#
# Before deep learning, people designed features. The classic way (`workshop/lessons/features.py`):
#
# 1. A 3×3 **top-edge filter** (+1 row above, −1 row below) and its seven 45° rotations: 8 filters
#    for straight and diagonal edges.
# 2. **Correlation** slides a filter over the 28×28 image (the bundled digits are 8×8, so they are
#    scaled up; MNIST is used instead when it is on disk). Convolution is the same with the filter
#    turned 180°; deep learning libraries compute correlation and call it convolution.
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
# epochs they already beat ours (0.944 against 0.887 on the 71 test images; 0.972 after 20; only
# 3 epochs would give 0.831, so it does take some training). That is the point of deep
# learning: the features are learned.
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
# This lesson's runs only (`logs/introduction/`): the perceptron's error rate, the linear runs, the
# learned filters' run and the overfitting curves; the figures are under Images.

# %%
# %load_ext tensorboard
# %tensorboard --logdir {lesson.logdir}

# %% [markdown]
# ## Try it
#
#     workshop train perceptron --dataset xor
#     workshop train linear --batch-size 1 --lr 0.05
#     workshop train mlp --hidden 512 --epochs 100      # then compare the curves in TensorBoard
