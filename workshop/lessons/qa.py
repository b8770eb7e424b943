# %% [markdown]
# # Q&A — checking your machine, and what goes wrong
#
# **What you will learn:** how to check that everything the workshop needs is in place (`workshop doctor`); the
# answers to the questions that come up every time; and why a learning rate that is too large makes the loss blow
# up — with the exact edge, computed for linear regression.
#
# **How to run it:** `workshop doctor` runs the checks only (exit 1 if one FAILs). `workshop run qa` runs the checks
# and the learning-rate demo (about 30 s on a 2-core laptop CPU, a third of it starting TensorBoard; `--quick` is no
# shorter), or open `notebooks/qa.ipynb` in JupyterLab with `workshop lab`. `workshop lesson qa` prints the answers.
#
# **Expected results:** every check OK on a machine set up with `make setup`, except WARN for datasets not
# downloaded yet (the workshop only needs `digits`, which is embedded); `doctor.txt` and `doctor.png` in
# `logs/qa/figures-<time>/`. Then `learning_rates.png`: on the `line` points, learning rate 0.0001 barely moves
# the loss (1.63 to 1.59 in 100 steps), 0.5 brings it down to 0.009 (the noise in the points), 1.1 climbs to
# about 1e17 and 3.0 overflows to inf at step 28, then NaN; the guard's one-line message ("the loss rose from 1.63
# to 306 by epoch 3"); the edge between learning and diverging, for these points, at 0.99. The same numbers at both
# sizes: these runs take seconds.

# %%
QUICK = False  # True: seconds per section (what CI runs); False: the full sizes, for a live session
from workshop.lessons.lesson import Lesson

lesson = Lesson("qa", quick=QUICK)

# %% [markdown]
# ## 1. What doctor checks
#
# Python (3.11–3.13); the versions of TensorFlow, Keras, TensorBoard and NumPy; that Keras runs on the TensorFlow
# backend; the CPU and GPU devices TensorFlow sees; which datasets are available offline; that TensorBoard starts
# and answers on a free loopback port; the free disk space for the logs. Each check is OK, WARN (a lesson runs with
# less: no GPU, a dataset not downloaded yet) or FAIL (a lesson will not run). The checks live in
# `workshop/checks.py`; `workshop doctor` prints the same table.

# %%
from workshop.checks import format_checks, run_checks
from workshop.lessons import troubleshooting

checks = run_checks(lesson.logdir)
lesson.say(format_checks(checks))
(lesson.run_dir / "doctor.txt").write_text(format_checks(checks) + "\n")
troubleshooting.draw_checks(lesson, checks)

# %% [markdown]
# ## 2. Troubleshooting
#
# The questions that come up every time, and their answers. Run as a script, this lesson lists the questions;
# `workshop lesson qa` prints the answers.

# %%
lesson.say(troubleshooting.questions())

# %% [markdown]
# **TensorBoard says "No dashboards are active for the current data set".**
# It found no event files under its `--logdir`. Point it at the folder *above* the runs:
# `workshop tensorboard --logdir logs` (not a file, not an empty folder), train something first, and check
# `workshop runs`. Event files that are still being written appear after a reload.
#
# **"KERAS_BACKEND is set to 'jax'" (or torch).**
# Keras 3 picks its backend once, at import, from `KERAS_BACKEND` or `~/.keras/keras.json`. This workshop's lower
# levels use `tf.GradientTape`, which only exists on TensorFlow: run `unset KERAS_BACKEND`, or set
# `"backend": "tensorflow"` in `~/.keras/keras.json`. `workshop doctor` shows the backend in use.
#
# **The dataset download is blocked (proxy, firewall, no network).**
# `digits` is embedded and needs nothing. For MNIST, copy `mnist.npz` from a machine that has it into `datasets/`
# (`workshop datasets path mnist` says where), or point `WORKSHOP_DATASETS_MIRROR` at a classroom mirror. Files are
# sha256-checked, so a truncated copy is reported by name, never used.
#
# **Logits or probabilities?**
# The models here output *logits*: raw scores, any real number. The losses are built with `from_logits=True`,
# which is numerically safer than a softmax layer followed by a log. To get probabilities apply softmax (sigmoid
# for one output) yourself — as `workshop predict` does. Putting a softmax inside the model *and*
# `from_logits=True` in the loss trains badly without any error message.
#
# **My model scores great — I validated it on the test set.**
# Then the test set was used to choose, and its score is no longer an honest estimate. Choose epochs, sizes and
# learning rates on the validation split; look at the test split once, at the end. If you already peeked, the fix
# is new test data.
#
# **Training is slow.**
# Use `--quick` on `workshop run`, or fewer `--epochs` on `workshop train`; in Python,
# `TrainConfig(max_examples=...)` trains on a slice. Everything here is sized for a laptop CPU; `workshop bench`
# measures how fast each level trains on yours.
#
# **The loss became NaN, or "the network is not learning".**
# The learning rate is probably too large for the model and its data: each step overshoots the minimum by more
# than the last, until the numbers overflow - or the ReLUs die and the accuracy stays at chance. Every level stops
# such a run (a NaN or infinite loss, a loss far above where it started, accuracy no better than guessing after
# three epochs), says so in one line, exits with status 1 and saves nothing over an earlier model. Try a learning
# rate ten times smaller. Section 3 shows why.

# %% [markdown]
# ## 3. When the loss blows up: the learning rate
#
# Linear regression on the 30 `line` points, with batch gradient descent (each step uses all 30 points) at four
# learning rates. The loss `mean((a*x + b - y)^2)` is a bowl; a step of gradient descent moves `(a, b)` downhill by
# the learning rate times the slope. Too small, and 100 steps barely move; right, and the loss falls to the noise
# in the data; too large, and each step lands further up the other side of the bowl than it started.

# %%
curves = troubleshooting.loss_curves([0.0001, 0.5, 1.1, 3.0], epochs=100)
for learning_rate, losses in curves.items():
    lesson.say(f"learning rate {learning_rate:<6g} loss {losses[0]:.3g} -> {losses[-1]:.3g}")
troubleshooting.draw_loss_curves(lesson, curves)

# %% [markdown]
# Those runs had no guard, so 3.0 ran on into `inf` and `nan`. Through `workshop train` (and `lesson.train`) the
# run stops as soon as the loss rises far above where it started (or becomes NaN, or accuracy stays at chance),
# with one line, and saves nothing over an earlier model:

# %%
from workshop.errors import WorkshopError

try:
    lesson.train(model="linear", learning_rate=3.0, group="diverging")
except WorkshopError as stopped:  # what `workshop train linear --lr 3` prints as its one line, exit 1
    lesson.say(f"The guard stopped the run, as it should: {stopped}")

# %% [markdown]
# ### Your turn: where is the edge?
# For this loss the edge can be computed. Its Hessian (the matrix of second derivatives in `a` and `b`) is the same
# everywhere: `(2/n) [[sum x^2, sum x], [sum x, n]]`. Gradient descent converges exactly when the learning rate is
# below `2 / λmax`, λmax its largest eigenvalue (`np.linalg.eigvalsh` finds them): along that direction each step
# multiplies the error by `1 - learning_rate * λmax`, which must stay between -1 and 1. Write it for points `x`
# (shape `(n,)`), then run the check. Stuck? `exercises.hint("stable_learning_rate")`, then
# `exercises.solution("stable_learning_rate")`.

# %%
from workshop import exercises
from workshop.data import load


def stable_learning_rate(x):
    """x: (n,) the inputs. Returns the largest learning rate (float) for which batch gradient descent on
    mean((a*x + b - y)^2) converges: 2 / the largest eigenvalue of (2/n) [[sum x^2, sum x], [sum x, n]]."""
    return None  # your code here


exercises.check("stable_learning_rate", stable_learning_rate)
edge = stable_learning_rate(load("line").x_train.ravel())  # the 30 points the curves above trained on
lesson.say(f"your edge for these points: {edge} (the curves put it between 0.5 and 1.1)")

# %% [markdown]
# ### Your turn: read a loss curve
# Tell the three kinds of curve apart from the numbers alone: `"diverged"` when a loss is not finite or the curve
# ends far above where it started, `"stalled"` when it barely moves, `"learning"` otherwise. The check tries your
# function on curves of its own; below it, yours reads the four curves of this section.

# %%
def diagnose(losses):
    """losses: the training loss per epoch (a list of floats). Returns "diverged", "stalled" or "learning"."""
    return None  # your code here


exercises.check("diagnose", diagnose)
for learning_rate, losses in curves.items():
    lesson.say(f"learning rate {learning_rate:<6g} {diagnose(losses)}")

# %% [markdown]
# ## Watch it in TensorBoard
# The guarded run only, `logs/qa/diverging/`: in Scalars its `epoch_loss` climbs from 1.6 to about 300 in the
# three epochs before the guard stopped it (the doctor's table and the loss curves above are figures of this
# lesson, `workshop tensorboard --logdir logs/qa` shows them under Images).

# %%
# %load_ext tensorboard
# %tensorboard --logdir {lesson.logdir}/diverging
