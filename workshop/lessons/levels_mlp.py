# %% [markdown]
# # The MLP at every level — NumPy, raw TensorFlow, Keras layers, Keras `fit`
#
# **What you will learn:** the same network — 64 pixels → 64 ReLU units → 10 digits — written four times,
# each level of the API doing by hand what the next one does for you: backpropagation in NumPy,
# `tf.GradientTape` on bare `tf.Variable`s, Keras layers in your own loop, and `compile` + `fit`. The cells
# below *are* the package's code — each model file of `workshop/algorithms/` and each loop of
# `workshop/training/`, copied in when the notebook was made — so you can change any of them and train again.
# Then the proof that they are one algorithm: trained from the same start weights on the same batches, all four
# end with the same weights, to about a millionth.
#
# **How to run it:** `workshop run levels-mlp` (about 45 s on 2 CPU cores; `workshop run levels-mlp --quick`:
# about 10 s), or open `notebooks/levels-mlp.ipynb` in JupyterLab with `workshop lab`. Run a level's cells in
# order — model, loop, train: each level's cells define `create` and `fit` anew.
#
# **Expected results:** every level reaches the same accuracy, to the last digit. Full (20 epochs on the 1,294
# training digits): test accuracy 0.964 at every level, and the saved weights differ from the keras level's by
# at most numpy 6e-7, raw 0, layers 0. Quick (5 epochs on 256 digits): test accuracy 0.777, differences
# numpy 6e-8, raw 0, layers 0. The last cell of section 7 fails (an `assert`) if any level parts from
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
# first 256 training digits). Every level's run goes into `logs/levels-mlp/levels/`, which section 8 opens.

# %%
from workshop import exercises
from workshop.config import TrainConfig
from workshop.lessons import side_by_side
from workshop.training.prepare import prepare

same = dict(model="mlp", optimizer="sgd", learning_rate=0.1, seed=0,
            epochs=5 if lesson.quick else 20, max_examples=256 if lesson.quick else None)
config = TrainConfig(**same).resolved()
data = prepare(config)
lesson.say(side_by_side.describe(data))
summaries = {}  # {level: its run's summary}, filled section by section

# %% [markdown]
# ## 2. numpy: you write the forward pass *and* the backward pass
#
# No TensorFlow does any math. `forward` multiplies and adds, layer by layer; `gradients` is backpropagation
# written out: the softmax cross-entropy's gradient `(p - onehot) / n`, then back through each layer —
# `input.T @ delta` for the weights, and through the ReLU by keeping only the units that were on. `create` is
# what the training calls to build the model from the shared start weights. (`workshop/algorithms/mlp_numpy.py`)

# %%
# %inline workshop/algorithms/mlp_numpy.py

# %% [markdown]
# The numpy level's loop: for each epoch, for each batch in the order drawn for that epoch, the model's own
# `gradients`, then the update `w -= learning_rate * g` by hand; then the validation split.

# %%
# %inline workshop/training/numpy_loop.py

# %% [markdown]
# Train it: the `create` and `fit` above, with everything around them (the data, the start weights,
# TensorBoard, saving) from the package, as `workshop train mlp --api numpy` does it.

# %%
summaries["numpy"] = lesson.train(api="numpy", **same, group="levels", create=create, fit=fit,
                                  save=side_by_side.model_path(lesson, config, "numpy"))
side_by_side.say_run(lesson, summaries["numpy"])

# %% [markdown]
# ## 3. raw: you write the forward pass, TensorFlow finds the gradients
#
# The same weights as `tf.Variable`s in a `tf.Module`, the same forward pass with `tf.matmul` and `tf.nn.relu`.
# There is no `gradients` method any more: the loop records the forward pass on a `tf.GradientTape` and asks it
# for the derivative of the loss by every variable. The whole of the numpy level's `gradients` becomes one line.
# (`workshop/algorithms/mlp_raw.py`)

# %%
# %inline workshop/algorithms/mlp_raw.py

# %% [markdown]
# The raw level's loop, the heart of TensorFlow's custom training: `train_step` records the forward pass,
# plays it backwards and updates each variable by hand (`w.assign_sub(learning_rate * g)`); then the
# validation pass.

# %%
# %inline workshop/training/raw_loop.py

# %% [markdown]
# ### Your turn: the raw level's step
# Write one step of plain SGD for the raw MLP above, as the loop's `train_step` does it: inside
# `with tf.GradientTape() as tape:` the forward pass `model(x)` and the mean softmax cross-entropy
# (`tf.nn.sparse_softmax_cross_entropy_with_logits`); then `tape.gradient` for every variable in
# `model.params`, and `assign_sub`. The check compares your loss and every new weight with backpropagation by
# hand (the numpy level's `gradients`). Stuck? `exercises.hint("raw_train_step")`, then
# `exercises.solution("raw_train_step")`.

# %%
def raw_train_step(model, x, y, learning_rate):
    """model: the raw MLP (model(x) -> logits (batch, 10); model.params its tf.Variables); x float32
    (batch, 8, 8, 1), y int32 (batch,). One plain SGD step; returns the loss, as recorded before the step."""
    return None  # your code here


exercises.check("raw_train_step", raw_train_step)

# %%
summaries["raw"] = lesson.train(api="raw", **same, group="levels", create=create, fit=fit,
                                save=side_by_side.model_path(lesson, config, "raw"))
side_by_side.say_run(lesson, summaries["raw"])

# %% [markdown]
# ## 4. layers: Keras layers hold the weights, you still write the loop
#
# `keras.layers.Dense` owns its kernel and bias and computes `relu(x @ kernel + bias)`; a `keras.Model` subclass
# composes the layers. (`workshop/algorithms/mlp_layers.py`)

# %%
# %inline workshop/algorithms/mlp_layers.py

# %% [markdown]
# The layers level's loop is `fit` written out: the same tape, then `optimizer.apply_gradients` (a Keras
# optimizer makes the update) and `keras.metrics` (they keep the running means).

# %%
# %inline workshop/training/layers_loop.py

# %%
summaries["layers"] = lesson.train(api="layers", **same, group="levels", create=create, fit=fit,
                                   save=side_by_side.model_path(lesson, config, "layers"))
side_by_side.say_run(lesson, summaries["layers"])

# %% [markdown]
# ## 5. keras: you describe the network, `fit` does the rest
#
# The same layers in a `keras.Sequential`. This Sequential is also the form every TensorFlow level saves to
# `.keras`, so any saved model loads the same way. (`workshop/algorithms/mlp_keras.py`)

# %%
# %inline workshop/algorithms/mlp_keras.py

# %% [markdown]
# ### Your turn: the MLP as a `keras.Sequential`
# Write it yourself, layer by layer: `keras.Input(shape=(8, 8, 1))`, `Flatten`, a `Dense` of `hidden` ReLU
# units, and a `Dense` of `classes` logits (no activation: the loss applies the softmax). The check gives your
# model and the package's the same weights and compares what they compute, then trains yours for 5 epochs with
# Adam: it must reach the package's validation accuracy (at least 0.93). `exercises.hint("build_mlp")` and
# `exercises.solution("build_mlp")` help.

# %%
def build_mlp(hidden, classes):
    """-> an uncompiled keras.Sequential: x float32 (batch, 8, 8, 1) -> logits (batch, classes)."""
    return None  # your code here


exercises.check("build_mlp", build_mlp)

# %% [markdown]
# The keras level's "loop" is `compile` + `fit`: batching, the tape, the update, the metrics, the callbacks and
# the validation pass all happen inside `model.fit`.

# %%
# %inline workshop/training/keras_fit.py

# %%
summaries["keras"] = lesson.train(api="keras", **same, group="levels", create=create, fit=fit,
                                  save=side_by_side.model_path(lesson, config, "keras"))
side_by_side.say_run(lesson, summaries["keras"])

# %% [markdown]
# ## 6. The levels side by side
#
# Loss and accuracy agree to the digits shown; only the speed differs (on a model this small the numpy level is
# often the fastest: TensorFlow's per-step overhead outweighs its faster math).

# %%
table = side_by_side.results(summaries)
lesson.say(side_by_side.show(table))

# %% [markdown]
# ## 7. The proof: the same weights
#
# Read every saved model back from its file, as any user of it would, and take its weights in Keras order
# (`saved_view` gives one face to a `.keras` and an `.npz` model).

# %%
weights = side_by_side.saved_weights(summaries)  # {level: its weights, read back from its file}

# %% [markdown]
# Now compare each level with the keras level, weight by weight. raw and layers run TensorFlow's own ops in
# Keras's order (the raw MLP even adds its bias with `tf.nn.bias_add`, as Keras does), so they match bit for
# bit. The numpy level does the same arithmetic in NumPy, whose sums add up in another order, so the last bit
# of a float32 may differ — about 1e-7 of a weight. Anything above 1e-5 would mean a level computes something
# else: then this cell fails, and so does the notebook. The first line shows that training really moved the
# weights, so "equal" is not the trivial "nothing happened".

# %%
differences = side_by_side.same_weights(lesson, weights, reference="keras",
                                        start=side_by_side.start_weights(config, data))

# %% [markdown]
# ### Try it
# Change a level and run its cells again: in the numpy `gradients`, drop the ReLU's mask `* (h_in > 0)`, or in
# the raw loop, step with `2 * learning_rate`; train that level, then rerun this section — the `assert` names
# the level that parted. Or swap plain SGD for Adam: set `optimizer="adam", learning_rate=0.01` in `same`
# (section 1) and run the notebook again. Adam divides each step by the square root of a running mean of g²,
# which magnifies last-bit differences: at the full size we measured numpy 4e-5 and raw 5e-6 away from keras
# after 20 epochs — the same algorithm, no longer the same bits, and the `assert` says so.

# %% [markdown]
# ## 8. Watch it in TensorBoard: four levels, one curve
# The runs of this question only: `logs/levels-mlp/levels/`, the four levels trained above. In Scalars the
# `epoch_loss` and `epoch_accuracy` of numpy, raw, layers and keras coincide exactly — four runs, one visible
# line each for training and validation. That is the proof again, not a missing run: switch runs on and off in
# the run list to see that each one is there.

# %%
# %load_ext tensorboard
# %tensorboard --logdir {lesson.logdir}/levels
