# %% [markdown]
# # Demo — the CNN digit recognizer
#
# **What you will learn:** a convolutional network recognising handwritten digits, trained two ways
# from the same starting weights — Keras's `fit`, and a hand-written loop over Keras layers with
# `tf.GradientTape`; how its logits become probabilities; how to read its mistakes and its confusion
# matrix; how to ask it about your own images.
#
# **How to run it:** `make demo` (= `workshop run demo`: two CNNs of 15 epochs, about 25 s on 2 idle
# CPU cores, 40 s on a busy one; `workshop run demo --quick`: 3 epochs each, 15-25 s, most of it
# starting TensorFlow), or open `notebooks/demo.ipynb` in JupyterLab with `workshop lab`.
# `workshop run demo --images my7.png` also reads your own images (any size; dark on light is fine).
# `workshop tensorboard --logdir logs/demo` overlays the two runs' curves.
#
# **Expected results:** measured (Keras 3, TensorFlow 2.21, CPU): test accuracy 97.2 % for both
# runs after 15 epochs (`workshop train cnn`'s settings; 10 of the 359 test digits wrong); quick,
# after 3 epochs, 93.9 % (22 wrong) —
# enough to see it work, not a trained model. The two runs' accuracies are equal here (section 4 says
# why, and when they are only close). Figures `mistakes`, `confusion_matrix`, `sample_predictions`
# (and `your_predictions` with `--images`); the `fit` model saved to `models/digits-cnn.keras`.

# %%
QUICK = False  # True: seconds per section (what CI runs); False: the full sizes, for a live session
from workshop.lessons.lesson import Lesson

lesson = Lesson("demo", quick=QUICK)

# %% [markdown]
# ## 1. The network
#
#     8x8 image -> conv 3x3, 32 filters -> max pool 2x2 -> conv 3x3, 64 filters -> max pool 2x2
#               -> dropout -> dense 10 (one logit per digit)
#
# A convolution layer is a set of small filters slid over the image, like the hand-made edge filters
# of the introduction — but learned. Pooling keeps the strongest response per block, so the next layer
# sees a smaller, coarser map. Dropout zeroes a random half of the features at each training step
# (never when predicting), so the dense layer cannot lean on any one of them.

# %%
from workshop.algorithms import cnn_keras

cnn_keras.build(input_shape=(8, 8, 1)).summary()

# %% [markdown]
# ## 2. Training it with `fit`
#
# The keras level: `model.compile(...)` and `model.fit(...)` — Keras runs the loop
# (`workshop/training/keras_fit.py`). This run's model is saved to `models/digits-cnn.keras`.

# %%
from workshop.lessons import recognizer

fit_run = recognizer.train_cnn(lesson, api="keras")

# %% [markdown]
# ## 3. Training it with our own GradientTape loop
#
# The layers level: the same layers (`workshop/algorithms/cnn_layers.py`), and a loop you can read,
# `workshop/training/layers_loop.py`, top to bottom: for each batch, run the model under a
# `tf.GradientTape`, compute the loss, ask the tape for the gradients, let the optimizer (Adam) apply
# them, update the running metrics; after each epoch, score the validation split. That is what `fit`
# does for you.

# %%
loop_run = recognizer.train_cnn(lesson, api="layers")

# %% [markdown]
# ### Your turn: one GradientTape step
# Write the heart of that loop yourself: `gradient_tape_step(model, x, y, learning_rate)` runs `model`
# on the batch `x` under a `tf.GradientTape`, computes
# `keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, y_pred)`, asks the tape for the
# gradients of the loss with respect to `model.trainable_variables`, and takes one plain SGD step:
# `v.assign_sub(learning_rate * g)` for each variable `v` and its gradient `g`. Return the loss as a
# float. `from workshop.tf_env import tf, keras` gives you both. Stuck?
# `exercises.hint("gradient_tape_step")`, then `exercises.solution("gradient_tape_step")`.

# %%
from workshop import exercises


def gradient_tape_step(model, x, y, learning_rate):
    """model: a keras.Model giving logits (batch, classes); x (batch, ...); y int (batch,). Returns the loss (float)."""
    return None  # your code here


exercises.check("gradient_tape_step", gradient_tape_step)

# %% [markdown]
# ## 4. Two ways, one network
#
# Both runs start from the same weights (drawn from one seed for every level) and read the same
# batches in the same order. What the tests guarantee is the math: with dropout off, the levels end
# with the same weights (`tests/test_cnn_and_mlp_levels.py`). With dropout on, as here, the runs agree
# only as far as their dropout masks agree. Each level draws its masks from its own seeded `Dropout`
# layer; with Keras 3 and TensorFlow 2.21 on a CPU both draw the same ones, and we measured the two
# runs ending with the same weights and the same test accuracy. No test checks that, though: on
# another version or device the masks may differ, and then the curves lie close together and the
# accuracies are close, not identical — that is dropout, not a bug.

# %%
lesson.say(f"Test accuracy: fit {fit_run['test_accuracy']:.2%}, "
           f"GradientTape loop {loop_run['test_accuracy']:.2%}")

# %% [markdown]
# ## 5. From logits to probabilities
#
# The saved model ends with a dense layer: ten **logits** per image, any real numbers, one per digit.
# Softmax turns them into probabilities — `exp` of each, divided by their sum — so each row is
# positive and sums to 1; the largest logit stays the most probable digit. `workshop.predict` does this
# for every prediction the workshop prints.

# %%
import numpy as np

from workshop.data import load
from workshop.predict import load_model, probabilities

model, meta = load_model(lesson.models_dir / recognizer.MODEL_FILE)
test = load("digits")  # the same test split the runs were scored on

# %%
logits = np.asarray(model(test.x_test, training=False))  # (359, 10), float32
probs = probabilities(meta, logits)  # softmax, row by row
y_pred = probs.argmax(axis=1)
lesson.say(f"first test digit (true label {test.y_test[0]}): logits {np.round(logits[0], 1)}")
lesson.say(f"  probabilities {np.round(probs[0], 3)} -> says {y_pred[0]}")

# %% [markdown]
# ### Your turn: a softmax that does not overflow
# Write `softmax(logits)`: `logits` is (n, k), the result (n, k) probabilities, each row summing to 1.
# `np.exp(1000)` is `inf`, so subtract each row's largest logit first: the answer does not change
# (the factor `exp(-max)` cancels between the top and the bottom of the fraction), and nothing
# overflows. `exercises.hint("softmax")` and `exercises.solution("softmax")` help.

# %%
def softmax(logits):
    """logits: (n, k) floats. Returns (n, k) probabilities, each row summing to 1; logits of 1000 must not overflow."""
    return None  # your code here


exercises.check("softmax", softmax)

# %% [markdown]
# ## 6. Reading its mistakes
#
# - `mistakes`: the test digits the network got wrong, at most 24 of them (the first 24; the printed
#   line says how many there are in all), each captioned true→predicted and how sure the model was.
#   Many are digits a person would hesitate over too. TensorBoard's Images dashboard has the same kind
#   of grid for each run: the first 24 mistakes on the validation split, epoch by epoch.
# - `confusion_matrix`: row = the true digit, column = the prediction. The diagonal is right;
#   everything else shows which digits get confused with which.

# %%
recognizer.show_mistakes(lesson, test.x_test, test.y_test, y_pred, probs)
recognizer.show_confusion(lesson, test.y_test, y_pred)

# %% [markdown]
# ## 7. Asking it about image files
#
# Eight test digits are written as PNG files into the lesson's folder, read back like any image file
# (grayscale, inverted if dark on light, shrunk to 8x8) and predicted: the figure
# `sample_predictions`. With `workshop run demo --images my7.png ...` your own images go the same way,
# as `your_predictions`.

# %%
from workshop.lessons.samples import write_samples

samples = write_samples(test.x_test, test.y_test, lesson.run_dir / "samples", 8)
recognizer.predict_files(lesson, model, meta, samples, "sample_predictions")
if lesson.images:
    lesson.say("Your images:")
    recognizer.predict_files(lesson, model, meta, list(lesson.images), "your_predictions")

# %% [markdown]
# ## Watch it in TensorBoard
# This lesson's runs only: `logs/demo/`. Scalars overlays the `cnn-keras-*` and `cnn-layers-*` curves;
# Images has each run's first-layer filters, validation confusion matrix and mistakes per epoch, and this
# lesson's figures.
# From a terminal, and for any image with the saved model:

# %%
from workshop.hints import command, shown

model_file = shown(lesson.models_dir / recognizer.MODEL_FILE)
lesson.say(f"Look at the runs: {command(f'tensorboard --logdir {shown(lesson.logdir)}')}")
lesson.say(f"Predict with the saved model: {command(f'predict {model_file} {shown(samples[0])}')}")

# %%
# %load_ext tensorboard
# %tensorboard --logdir {lesson.logdir}
