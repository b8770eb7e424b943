# %% [markdown]
# # Where to go next
#
# **What you will learn:** how this package's files map onto TensorFlow's API levels, models and training loops
# alike; that Keras 3 runs the same model on other backends (JAX, PyTorch); how `tf.distribute` spreads training
# over several processes or machines, what it does to a batch and its gradients, and why it changes no weight; how
# a trained model becomes a file a phone runs (LiteRT), checked against the original and shrunk to 8-bit integers;
# where to read on.
#
# **How to run it:** `workshop run next` (about 25 s on a 2-core laptop CPU, much of it starting TensorFlow in
# five processes; `--quick`: about 20 s), or open `notebooks/next.ipynb` in JupyterLab with `workshop lab`.
#
# **Expected results:** the table of `workshop/algorithms/` printed and drawn as `api_hierarchy.png`; the four
# training loops with their line counts, and the raw one in a cell, the package's own code; a line per other Keras
# backend (trained, or skipped with the reason when JAX or PyTorch is not installed); the MLP trained with plain
# SGD on 2 worker processes and in one: the same test accuracy (95.3 % after 10 epochs; `--quick`, 2 epochs:
# 85.0 %) and a largest weight difference of a few 1e-7 (float rounding; the lesson's test holds it to 1e-5), the 2
# workers at a third to half the examples per second of one process on a 2-core laptop; the CNN (97.2 % on the test
# split; `--quick`: 600 digits for 2 epochs, about 89 %) exported with `model.export(..., format="litert")` and run
# by LiteRT's interpreter within 1e-5 of Keras, then by `workshop export` three ways, each checked through the
# LiteRT interpreter: float32 within 1e-5 of Keras (about 4e-6) with the same test accuracy; dynamic-range and int8
# files about a third of the float one (90 kB -> 28 kB), their accuracy within a point of it.

# %%
QUICK = False  # True: seconds per section (what CI runs); False: the full sizes, for a live session
from workshop.lessons.lesson import Lesson

lesson = Lesson("next", quick=QUICK)

# %% [markdown]
# ## 1. The API hierarchy, in this package's files
#
# The table is read from the file names in `workshop/algorithms/` each time it runs: `<algorithm>_<level>.py`.
# Reading down a column you see one level for every algorithm; reading along a row, one algorithm climbing the
# levels:
#
# - **numpy**: everything by hand — the forward pass, the gradients, the update.
# - **raw**: `tf.Variable`s in a `tf.Module`; TensorFlow computes the gradients, the update is still by hand.
# - **layers**: Keras layers and a Keras optimizer, your own loop.
# - **keras**: `Sequential`, `compile`, `fit`.
#
# A `-` is a level that would add nothing to learn: the perceptron learns by its own rule, not by a Keras
# optimizer, and the CNN starts at raw because its backpropagation by hand would be long and slow in NumPy. Open two
# files of one row side by side: what disappears from one level to the next is what the framework now does for you.

# %%
from workshop.lessons import hierarchy

rows = hierarchy.hierarchy()
lesson.say(hierarchy.format_hierarchy(rows))
hierarchy.draw_hierarchy(lesson, rows)

# %% [markdown]
# ### One training loop per level
#
# The models are half of each level; the other half is the loop that trains them, one file per level in
# `workshop/training/`, each serving every algorithm of its level: `numpy_loop.py`, `raw_loop.py`,
# `layers_loop.py` and `keras_fit.py`. `workshop/training/levels.py` holds the table of who does what — its
# docstring, printed below, says who computes the gradients, who updates the weights and how each level saves.
# Every loop takes the same arguments and hands Keras callbacks the same `logs`, so TensorBoard, the NaN guard and
# saving never ask which level they are in.
#
# The loops shrink as you climb: the numpy and raw loops write every step out, the layers loop lets a Keras
# optimizer and Keras metrics do their part, and `keras_fit.py` is one `compile` and one `fit`.

# %%
from pathlib import Path

from workshop.training import levels

for loop in ("numpy_loop", "raw_loop", "layers_loop", "keras_fit"):
    path = Path(levels.__file__).with_name(f"{loop}.py")
    lesson.say(f"{len(path.read_text(encoding='utf-8').splitlines()):4} lines  workshop/training/{path.name}")
lesson.say(levels.__doc__)

# %% [markdown]
# The raw loop is the one to read top to bottom: GradientTape records the forward pass, plays it backwards into
# gradients, and the update is written by hand; then the validation pass. Here it is, the package's own file;
# the afternoon's `levels-<algorithm>` lessons show every level's loop like this, train with it, and let you
# change it.

# %%
# %inline workshop/training/raw_loop.py

# %% [markdown]
# ## 2. Keras 3, many backends
#
# Keras 3 runs the same model code on TensorFlow, JAX or PyTorch; the backend is chosen once, when Keras is
# imported, by `KERAS_BACKEND` (or `~/.keras/keras.json`). The demo starts a fresh Python with `KERAS_BACKEND=jax`
# (and `torch`) and trains the same `Sequential` model on the digits. Code written with Keras alone (`keras.layers`,
# `keras.ops`, `compile` and `fit`) moves between backends like this; the raw and layers levels here are written
# with `tf.GradientTape` and `tf.Module`, which exist only on TensorFlow — which is why the rest of this workshop
# stays on TensorFlow.

# %%
backends = hierarchy.other_backends(lesson, epochs=2 if lesson.quick else 10)

# %% [markdown]
# ## 3. More machines: tf.distribute
#
# `tf.distribute` trains one model on several devices or machines by keeping a whole copy of it on each (a
# *replica*) and splitting every global batch between them. Each replica computes the gradients of its share, an
# *all-reduce* sums them across the replicas, and every copy takes the same step, so the copies stay identical.
# `MultiWorkerMirroredStrategy` does it across processes — *workers*, each with its own TensorFlow, on one machine
# or on many, talking over the network; `MirroredStrategy` does it across the devices of one process (its GPUs).
#
# `workshop train mlp --api raw --workers 2` starts two worker processes on this machine, talking over 127.0.0.1
# (`--cluster HOST:PORT,HOST:PORT --worker-index I` joins machines instead: the same command on each, with its
# own index). Inside a worker, the raw and layers levels run their own loop,
# `workshop/training/distributed_loop.py`, written as TensorFlow's "Custom training loop with
# tf.distribute.Strategy" tutorial writes it (the one-process loops stay as they were):
#
# 1. the global batches come in the seed's order, as in one process; worker *i* takes its slice of each (a batch
#    of 32 is 16 + 16; a last batch of 13 is 7 + 6), through `strategy.distribute_datasets_from_function`;
# 2. in `strategy.run`, the loss is `tf.nn.compute_average_loss` over the slice divided by the *global* batch
#    size (13, not 7), so each slice's gradient counts for its share of the batch;
# 3. the gradients are summed across the workers: by hand at the raw level (the replica context's `all_reduce`),
#    by the Keras optimizer itself at the layers level, which sums whenever it runs under a strategy;
# 4. every worker takes the same step, and `strategy.reduce` sums what the steps return, so every worker logs the
#    global batch's means. Worker 0, the *chief*, alone writes the logs and saves the model; the command's own
#    process only watches the workers, and stops them all if one fails.
#
# The sum of the shares' gradients *is* the gradient of the whole batch, so with plain SGD two workers must end
# with the weights of one process, up to the rounding of adding in another order. The demo trains the MLP both
# ways, from the same weights on the same batches, and compares.
#
# ### The training loop on several workers

# %%
# %inline workshop/training/distributed_loop.py

# %% [markdown]
# The demo runs that loop on two worker processes and the one-process loop beside it:

# %%
from workshop.training import netns

unconfined = netns.why_unconfined()  # None where the workers can be kept off the network (Linux): see below
workers = hierarchy.on_two_workers(lesson, epochs=2 if lesson.quick else 10) if unconfined is None else None

# %% [markdown]
# ### Where local workers are refused: the same proof in one process
#
# A TensorFlow worker server listens on every network interface, with no password: anyone on the room's Wi-Fi
# who reaches its port can run code as you. So `--workers` runs its workers inside a private network namespace
# whose only interface is a loopback (`workshop/training/netns.py`, Linux), and where none can be made (macOS,
# Windows, a Linux that forbids unprivileged user namespaces) it refuses, unless you pass `--allow-open-ports` on
# a network you trust. There, this cell shows the same proof with no port at all: `MirroredStrategy` splits every
# batch between two replicas of one process (two logical CPUs here, GPUs on a real machine), sums their
# gradients, and must end with the weights of one device. It runs in a fresh Python, because logical devices are
# fixed when TensorFlow starts, and this notebook's has started.

# %%
import os
import subprocess
import sys

MIRRORED = """
import numpy as np, tensorflow as tf, keras
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)  # two replicas
from sklearn.datasets import load_digits
digits = load_digits()
x, y = digits.data[:1792].astype("float32") / 16, digits.target[:1792]  # 56 batches of 32: each one 16 + 16


def trained(strategy):
    keras.utils.set_random_seed(0)  # the same first weights on both sides
    with strategy.scope():  # variables made here are mirrored on every replica
        model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                                  keras.layers.Dense(10)])
        model.compile(keras.optimizers.SGD(0.1), keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=EPOCHS, shuffle=False, verbose=0)
    return model.get_weights(), history.history["accuracy"][-1]


mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
two, accuracy_two = trained(mirrored)
one, accuracy_one = trained(tf.distribute.OneDeviceStrategy("/cpu:0"))
print(f"{mirrored.num_replicas_in_sync} replicas (MirroredStrategy)  training accuracy {accuracy_two:.2%}")
print(f"1 device                       training accuracy {accuracy_one:.2%}")
difference = max(float(np.abs(a - b).max()) for a, b in zip(two, one))
print(f"largest weight difference, 2 replicas vs 1 device: {difference:.1g}")
"""

if unconfined is not None:  # `--workers 2` was refused on this machine
    lesson.say(f"  --workers 2 is refused here: {unconfined}")
    done = subprocess.run([sys.executable, "-c", MIRRORED.replace("EPOCHS", "2" if lesson.quick else "10")],
                          capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    lesson.say("\n".join(f"  {line}" for line in done.stdout.splitlines()) if done.returncode == 0
               else f"  failed: {(done.stderr.strip().splitlines() or ['no output'])[-1]}")

# %% [markdown]
# Two runs, `logs/next/workers/`: the MLP on 2 workers and in 1 process. Their `epoch_loss` and
# `epoch_accuracy` curves coincide exactly — two runs, one visible line each for training and validation; that
# is the proof, not a missing run (switch each run on and off in the run list).

# %%
# %load_ext tensorboard
# %tensorboard --logdir {lesson.logdir}/workers

# %% [markdown]
# Distribution changed where the arithmetic happened, not the arithmetic. It did not make this training faster:
# both workers share the same cores, and every step now waits for two all-reduces between processes (the
# gradients, and the loss and accuracy the chief logs), each a few milliseconds here, where the MLP's step itself
# takes a fraction of one. More workers pay when each has its own machine (or GPU) and a step computes for much
# longer than its all-reduce takes: a step of T seconds on one machine takes about T/N + C on N of them, where C,
# the all-reduce, grows with the size of the gradients and the network's latency, not with N (a ring all-reduce
# sends each worker's gradients about twice, whatever N). `workshop train --help` lists the flags;
# `python -m workshop.training.scaling` measures examples/s for 1, 2 and 4 workers on your machine.
#
# The keras level is the exception: under Keras 3, `fit` inside `MultiWorkerMirroredStrategy` fails (an open bug,
# keras-team/keras#20585), so `--api keras --workers 2` is refused. On one machine's devices `fit` does spread,
# with `MirroredStrategy`: build and compile the model inside its scope, and `fit` splits every batch between the
# devices, the same code on one GPU or eight:
#
# ```python
# strategy = tf.distribute.MirroredStrategy()  # every GPU of this machine (or the CPU)
# with strategy.scope():  # variables made here are mirrored on every device
#     model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
#     model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
# model.fit(train_ds, epochs=10)
# ```

# %% [markdown]
# ### Your turn: split a batch
# Do what the strategy does to a global batch: cut `x` into `replicas` consecutive pieces whose sizes differ by at
# most one (a batch of 64 on 2 replicas is 32 + 32; a last batch of 5 examples is 3 + 2), as `worker_batches` does.
# `np.array_split`
# is allowed, but try it with slices first. Then run the check. Stuck? `exercises.hint("shard_batch")`, then
# `exercises.solution("shard_batch")`.

# %%
from workshop import exercises


def shard_batch(x, replicas):
    """x: (batch, ...). Returns a list of `replicas` arrays, consecutive pieces of x whose sizes differ by <= 1."""
    return None  # your code here


exercises.check("shard_batch", shard_batch)

# %% [markdown]
# ### Your turn: average the gradients
# Each replica returns the gradient of the mean loss over *its* examples. Combine them into the gradient of the
# mean loss over the whole batch: weight each replica's gradients by its number of examples (`sizes`), add, and
# divide by the total: what the workers above do, each multiplying its gradients by its share before the sum.
# Keras's own losses take a shortcut under a strategy: each replica's mean loss divided by the number of replicas,
# the all-reduce adding the gradients up — the plain mean, which is exactly this when the shards are equal
# (32 + 32) and a little off on a ragged last batch (3 + 2); `distributed.py` undoes it. `exercises.hint(
# "all_reduce_mean")` and `exercises.solution("all_reduce_mean")` help.

# %%
def all_reduce_mean(grads, sizes):
    """grads: one list of arrays per replica (the same shapes in each); sizes: examples per replica.
    Returns one list of arrays: the example-weighted mean, the gradient of the whole batch."""
    return None  # your code here


exercises.check("all_reduce_mean", all_reduce_mean)

# %% [markdown]
# ## 4. The model on a phone: LiteRT
#
# A phone app runs no Python and no TensorFlow: it embeds LiteRT (TensorFlow Lite's new name), a small runtime that
# reads one `.tflite` file holding the ops and the weights. Keras writes one directly,
# `model.export("cnn.tflite", format="litert")`; `workshop export MODEL` does it for any model this package saved
# (any level: a numpy-level `.npz` has its arrays moved into the keras-level model first), and then proves the file
# right in the same run: the LiteRT interpreter (`ai_edge_litert`, the runtime a phone app embeds) runs it on the
# test split, and its outputs are compared with the saved model's. The demo trains the CNN and exports it three ways:
#
# - **none** (float32): the same arithmetic in another runtime, so the outputs may differ by float rounding only —
#   at most 1e-5 (per unit of the largest output, where that is over 1: float32 keeps about seven digits), or the
#   export is refused and nothing is written.
# - **dynamic**: the weights stored as 8-bit integers with a scale per output channel, a quarter of the bytes; the
#   activations stay float between ops. No data needed. (Tensors under 1,024 weights stay float: not worth it.)
# - **int8**: weights *and* activations as 8-bit integers (a scale per activation tensor), input and output too —
#   what integer-only phone accelerators and microcontrollers run. To pick those scales the converter watches a few
#   hundred examples go through: *training* examples, because the test split is there to judge the result.
#
# Every op must be a LiteRT *builtin*: a phone's runtime has no TensorFlow kernels to fall back on (the converter's
# "Select TF ops"), so the export allows builtins only and lists the ops the file uses. A quantized model rounds on
# purpose, so it is judged by what rounding costs — the test accuracy — against what it buys: the file size.

# %%
from workshop import saving

saved = lesson.models_dir / "next-cnn.keras"
lesson.train(model="cnn", save=str(saved), group="export",  # quick: 600 digits, 2 epochs, about 89 % on test
             epochs=2 if lesson.quick else 15, max_examples=600 if lesson.quick else None)
model, meta = saving.load(saved)  # the CNN just trained: a keras.Sequential

# %% [markdown]
# The export itself is one call; LiteRT's `Interpreter` then runs the file as a phone would, here on 100 test
# digits, and its answers are compared with the Keras model's.

# %%
import numpy as np
from ai_edge_litert.interpreter import Interpreter

from workshop.data import load

tflite = lesson.models_dir / "next-cnn-plain.tflite"
model.export(str(tflite), format="litert", verbose=False)  # Keras 3.13+: a LiteRT file in one call

x = load("digits").x_test[:100]
interpreter = Interpreter(model_path=str(tflite))
(given,), (answer,) = interpreter.get_input_details(), interpreter.get_output_details()
interpreter.resize_tensor_input(given["index"], x.shape)  # the batch dimension is free: 100 digits at once
interpreter.allocate_tensors()
interpreter.set_tensor(given["index"], x)
interpreter.invoke()
difference = np.abs(interpreter.get_tensor(answer["index"]) - model.predict(x, verbose=0)).max()
lesson.say(f"{tflite.name}: {tflite.stat().st_size:,} bytes; largest difference from Keras on 100 digits: {difference:.1g}")

# %% [markdown]
# `workshop export` does the same for any model the package saved, checks it on the whole test split, refuses a
# file that computes something else, and quantizes: three files, each with its proof.

# %%
from workshop import export
from workshop.commands.export import report, table

exports = [export.export(saved, quantize=quantize) for quantize in ("none", "dynamic", "int8")]
for result in exports:
    lesson.say("\n".join(report(result)) + "\n")
lesson.say(table(exports))

# %% [markdown]
# Neither quantized file is a quarter of the float one: the graph itself (ops, tensor shapes and names) and the
# metadata take a few kB that do not shrink, biases stay 32-bit, and dynamic range leaves the first convolution
# (288 weights) in float. The `.tflite` files sit next to the model; `workshop predict models/next-cnn-int8.tflite digit.png` runs
# one on your own picture through LiteRT alone, without starting TensorFlow, and `workshop evaluate` scores it.
# On a phone, the same file goes into the app's assets and LiteRT's `Interpreter` runs it.

# %% [markdown]
# ## 5. Reading on
#
# - TensorFlow guides: *Introduction to gradients and automatic differentiation*, *Writing a training loop from
#   scratch*, *Distributed training with TensorFlow*.
# - Keras: the *Developer guides* and the code examples at keras.io (each one short and runnable, like these
#   lessons).
# - *Dive into Deep Learning* (d2l.ai): every topic from scratch and then concisely.
# - Here: `workshop train cnn --dataset mnist` once MNIST is fetched (`workshop datasets fetch mnist`);
#   `workshop bench` measures the speed-ups; `workshop lesson qa` answers what goes wrong.
# - LiteRT: the guides at ai.google.dev/edge/litert, on running a `.tflite` in an Android or iOS app and on
#   post-training quantization.
#
# ## Watch it in TensorBoard
# The exported CNN's training, `logs/next/export/`: its loss and accuracy, and under Images its confusion matrix
# and mistakes.

# %%
# %tensorboard --logdir {lesson.logdir}/export
