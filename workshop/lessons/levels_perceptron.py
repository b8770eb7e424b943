# %% [markdown]
# # The perceptron at every level — NumPy and raw TensorFlow
#
# **What you will learn:** Rosenblatt's perceptron (1958), the first learning algorithm of the talk, written
# twice: in NumPy, one example at a time, and on a `tf.Variable` with TensorFlow ops, the whole epoch compiled
# into one graph by `tf.function`. There is no gradient and no loss to descend — the rule only moves the weights
# when an example is wrong — so there are no Keras levels: Keras layers and `fit` are built around gradients.
# The cells below *are* the package's code (both model files of `workshop/algorithms/` and the perceptron's
# loop, copied in when the notebook was made): change them and train again. Then the proof that the two are one
# algorithm: from the same start they make the same mistakes, epoch by epoch, and end with the same 65 weights.
#
# **How to run it:** `workshop run levels-perceptron` (about 10 s on 2 CPU cores, most of it starting
# TensorFlow; `--quick` is the same size: the rule converges in 4 epochs), or open
# `notebooks/levels-perceptron.ipynb` in JupyterLab with `workshop lab`. Run a level's cells in order — model,
# then train: each level's model cell defines `create` anew.
#
# **Expected results:** on the digits' 0s and 1s (259 training images) both levels make 11, 1, 3 and then 0
# mistakes in their four epochs, converge, and classify all 29 validation and 72 test images right. The saved
# weights of the raw level differ from the numpy level's by exactly 0. The last cell of section 6 fails (an
# `assert`) if the two levels part by more than 1e-5.

# %%
QUICK = False  # True: seconds per section (what CI runs); False: the full sizes, for a live session
from workshop.lessons.lesson import Lesson

lesson = Lesson("levels-perceptron", quick=QUICK)

# %% [markdown]
# ## 1. The data
#
# The 8×8 digits, only the 0s and the 1s, each image flattened to 64 numbers: y = 1.0 for a 1, 0.0 for a 0.
# (The perceptron's other datasets are the truth tables `or`, `and` and `xor`: four examples of two inputs.)
# `same` holds the settings both levels train with: one seed, learning rate 0.1, and at most 100 epochs — the
# rule stops by itself after the first epoch without a mistake. The quick size is the same: it takes a second.
# Both levels' runs go into `logs/levels-perceptron/levels/`, which section 7 opens.

# %%
from workshop.config import TrainConfig
from workshop.lessons import side_by_side
from workshop.training.prepare import prepare

same = dict(model="perceptron", dataset="digits", learning_rate=0.1, seed=0, epochs=100)
config = TrainConfig(**same).resolved()
data = prepare(config)
lesson.say(side_by_side.describe(data))
summaries = {}  # {level: its run's summary}

# %% [markdown]
# ## 2. The training loop
#
# The perceptron has one loop for both levels, `train_perceptron` (`workshop/training/perceptron_run.py`): both
# models offer `train_epoch`, `predict` and `get_weights`, so the loop never asks which level it runs. Epoch
# after epoch it applies the rule, scores the weights it ended the epoch with and logs that under the names Keras
# uses (`loss` is the fraction wrong, `accuracy` the fraction right), so TensorBoard shows the perceptron beside
# the other algorithms; after the first epoch without a mistake it stops — the rule would never move `w` again.

# %%
# %inline workshop/training/perceptron_run.py error_rate train_perceptron

# %% [markdown]
# ## 3. numpy: the rule in a few lines
#
# `predict` is a step function of `w · [1, x]` (the bias is `w[0]`; its input is always 1). `train_epoch` is
# the whole learning algorithm: for each example, `error = y - y_pred` (0 when right, +1 or −1 when wrong) and
# `w += learning_rate * error * [1, x]`. (`workshop/algorithms/perceptron_numpy.py`)

# %%
# %inline workshop/algorithms/perceptron_numpy.py

# %% [markdown]
# Train it: the `create` above and the loop of section 2, everything around them (the data, the start
# weights, TensorBoard, saving) from the package, as `workshop train perceptron --dataset digits --api numpy`
# does it. Its weights are saved as `.npz` (there is no Keras perceptron to save into), beside this lesson's
# figures.

# %%
summaries["numpy"] = lesson.train(api="numpy", **same, group="levels", create=create, fit=train_perceptron,
                                  save=side_by_side.model_path(lesson, config, "numpy"))
side_by_side.say_run(lesson, summaries["numpy"])

# %% [markdown]
# ## 4. raw: the same rule on a `tf.Variable`
#
# The weights become one `tf.Variable`, each update `w.assign_add(learning_rate * error * [1, x])`. The epoch
# is a `tf.function`: AutoGraph turns its Python `for i in tf.range(n)` into a loop inside the graph, so the
# example-by-example rule runs without a trip back to Python per example. TensorFlow computes nothing here
# that NumPy did not; it only runs it differently. (`workshop/algorithms/perceptron_raw.py`)

# %%
# %inline workshop/algorithms/perceptron_raw.py

# %%
summaries["raw"] = lesson.train(api="raw", **same, group="levels", create=create, fit=train_perceptron,
                                save=side_by_side.model_path(lesson, config, "raw"))
side_by_side.say_run(lesson, summaries["raw"])

# %% [markdown]
# ## 5. The levels side by side
#
# Same seed, so the same start weights: drawn once in NumPy (`workshop/algorithms/weights.py`) and copied into
# both levels. The examples come in the same order at both levels (the order of the training split).
#
# The results, and the mistakes each made in each epoch (counted while learning: the weights move
# during an epoch, so a mistake early in the epoch may be fixed by its end).

# %%
table = side_by_side.results(summaries)
lesson.say(side_by_side.show(table))
for api, summary in summaries.items():
    lesson.say(f"{api:5} mistakes per epoch: {summary['errors_per_epoch']}")

# %% [markdown]
# ## 6. The proof: the same weights
#
# Read both saved models back from their files, as any user of them would: `saving.load` gives a perceptron
# whose `get_weights()` returns `[kernel (64, 1), bias (1,)]`, Keras order.

# %%
weights = side_by_side.saved_weights(summaries)  # {level: its weights, read back from its file}

# %% [markdown]
# Compare the raw level with the numpy level. Both add the same multiples of the same inputs in the same
# order; a difference above 1e-5 would mean one of them computes something else — then this cell fails, and so
# does the notebook. The first line shows that training moved the weights, so "equal" is not "nothing
# happened".

# %%
differences = side_by_side.same_weights(lesson, weights, reference="numpy",
                                        start=side_by_side.start_weights(config, data))

# %% [markdown]
# ### Try it
# What one node cannot learn: `workshop train perceptron --dataset xor --api raw`, and the same with
# `--api numpy`. Both levels keep making mistakes for all 100 epochs and say why: no straight line puts (0,1)
# and (1,0) on one side and (0,0) and (1,1) on the other. `--dataset or` converges.

# %% [markdown]
# ## 7. Watch it in TensorBoard: two levels, one curve
# The runs of this question only: `logs/levels-perceptron/levels/`. In Scalars the two levels' `epoch_loss`
# curves (the fraction wrong at the end of each epoch) coincide exactly, down to 0 — two runs, one visible line.
# That is the proof again, not a missing run: switch runs on and off in the run list to see that each is there.

# %%
# %load_ext tensorboard
# %tensorboard --logdir {lesson.logdir}/levels
