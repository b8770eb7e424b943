# %% [markdown]
# # Presentation — what a neural network is
#
# **What you will learn:** a *node* is a weighted sum of its inputs passed through an *activation*; a *layer* is
# many nodes reading the same inputs; a *deep* network is layers stacked, each reading the one before. And the
# difference between finding groups in data (clustering, no labels) and learning labels (classification).
#
# **How to run it:** `workshop run presentation` (about 20 s on a 2-core laptop CPU; `--quick`: about 8 s), or open
# `notebooks/presentation.ipynb` in JupyterLab with `workshop lab`. `workshop tensorboard` shows the figures in its
# Images dashboard.
#
# **Expected results:** five figures in `logs/presentation/figures-<time>/` (and in TensorBoard → Images):
# `logistic.png`, `node.png`, `mlp.png`, `deep_mlp.png`, `clusters_vs_classes.png`. k-means groups the 359 test
# digits with a purity of 77 % (the same at both sizes: it does not train); the trained mlp labels 95 % of them
# correctly (`--quick`, 5 epochs instead of 20: 91 %). Both come from seeded runs and repeat from run to run.

# %%
QUICK = False  # True: seconds per section (what CI runs); False: the full sizes, for a live session
from workshop.lessons.lesson import Lesson

lesson = Lesson("presentation", quick=QUICK)

# %% [markdown]
# ## 1. A node
#
# A node takes numbers `x1 … xn`, multiplies each by a weight, adds them up with a bias, and squashes the sum with
# an activation:
#
#     z = w1·x1 + w2·x2 + … + wn·xn + b        y = σ(z)
#
# `logistic.png` plots the logistic function σ(z) = 1 / (1 + e^-z) beside tanh and ReLU. The logistic function
# turns any sum into a number between 0 and 1 — read it as "how sure the node is". `node.png` draws one node with
# three inputs.
#
# The weights and the bias are what learning changes. Everything else — how many nodes, how they are connected,
# which activation — is chosen by the person who designs the network.

# %%
from workshop.lessons import nodes

nodes.plot_activations(lesson)
nodes.draw_node(lesson)

# %% [markdown]
# ### Your turn: one node, many examples
# Write the node's output for a whole batch at once: `x` holds one example per row (`n` rows, `d` inputs), `w`
# one weight per input, `b` the bias. One matrix product gives all `n` weighted sums; then apply σ
# (`nodes.logistic` is there if you want it). Then run the check. Stuck? `exercises.hint("node_output")`, then
# `exercises.solution("node_output")`.

# %%
from workshop import exercises


def node_output(x, w, b):
    """x: (n, d), w: (d,), b: float. Returns sigmoid(x @ w + b): (n,), each between 0 and 1."""
    return None  # your code here


exercises.check("node_output", node_output)

# %% [markdown]
# ## 2. Layers and depth
#
# A layer is many nodes side by side, each with its own weights, all reading the same inputs. In code a layer is
# one matrix multiplication: its weights form a *kernel* of shape `(inputs, nodes)`, and its biases a vector of
# shape `(nodes,)`. The workshop's mlp reads the 8×8 digit images as 64 pixels and has the kernels
#
#     (64, 64)  then  (64, 10)
#
# so `mlp.png` — drawn from exactly those shapes, as `workshop.algorithms.shapes.kernel_shapes` gives them to
# every level — shows 64 input pixels, 64 hidden nodes and 10 output nodes, one per digit. `deep_mlp.png` stacks
# three hidden layers (64 → 32 → 16). "Deep" learning means nothing more than this: many layers, each building on
# the features the previous one computed.

# %%
from workshop.algorithms.shapes import kernel_shapes

for hidden, name in (((64,), "mlp"), ((64, 32, 16), "deep_mlp")):
    shapes = kernel_shapes("mlp", (8, 8, 1), 10, hidden)
    sizes = nodes.layer_sizes(shapes)
    lesson.say(f"{name}: kernels {shapes} -> layers of {sizes} nodes")
    nodes.draw_network(lesson, sizes, name, f"{name}: {' -> '.join(map(str, sizes))}")

# %% [markdown]
# ### Your turn: how many numbers does the network learn?
# Every dense layer from `m` nodes to `k` nodes learns an `(m, k)` kernel and `k` biases. Count them all for the
# layer sizes `sizes` (input first, e.g. `[64, 32, 10]`). How many does the mlp above learn, and the deep one?
# Section 3 trains the mlp: compare your count with what Keras reports. `exercises.hint("count_parameters")` and
# `exercises.solution("count_parameters")` help.

# %%
def count_parameters(sizes):
    """sizes: nodes per layer, the input first, e.g. [64, 32, 10]. Returns the number of weights + biases (int)."""
    return None  # your code here


exercises.check("count_parameters", count_parameters)

# %% [markdown]
# ## 3. Clustering is not classification
#
# Two ways to put the 359 test digits into ten groups. **k-means** finds ten groups from pixel distances alone,
# without ever seeing a label: it places ten centres, gives each image to its nearest centre, moves every centre
# to the mean of its images, and repeats. Its *purity* says how often an image shares its cluster's most common
# digit.

# %%
from workshop.data import load

splits = load("digits")
x = splits.x_test.reshape(len(splits.x_test), -1)  # (359, 64): each image as its 64 pixels
ids = nodes.kmeans(x, 10)  # a cluster id per image; the labels are never read
lesson.say(f"k-means purity: {nodes.purity(ids, splits.y_test):.1%}")

# %% [markdown]
# A **classifier** learns from labels: the mlp of section 2 in Keras — a `keras.Sequential` of its layers,
# `compile` to choose the loss and the optimizer, `fit` to train it on the training split, with Keras's
# TensorBoard callback writing its curves into `logs/presentation/classifier/`.

# %%
import numpy as np

from workshop.tf_env import keras

keras.utils.set_random_seed(0)  # the same start weights every run
model = keras.Sequential([keras.Input(shape=(8, 8, 1)), keras.layers.Flatten(),  # 64 pixels
                          keras.layers.Dense(64, activation="relu"),  # the hidden layer: kernel (64, 64)
                          keras.layers.Dense(10)])  # one output per digit: kernel (64, 10)
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
model.fit(splits.x_train, splits.y_train, validation_data=(splits.x_val, splits.y_val),
          epochs=5 if lesson.quick else 20, batch_size=32, verbose=0,
          callbacks=[keras.callbacks.TensorBoard(log_dir=str(lesson.logdir / "classifier" / "mlp"))])
y_pred = model.predict(splits.x_test, verbose=0).argmax(axis=1)  # the highest of the 10 outputs: the digit
lesson.say(f"mlp test accuracy: {np.mean(y_pred == splits.y_test):.1%}; it learned {model.count_params()} numbers")

# %% [markdown]
# `clusters_vs_classes.png` shows the test digits projected on their two principal components (PCA, computed with
# NumPy's SVD) three times:
#
# - coloured by their **true labels**;
# - coloured by the **k-means** clusters. Most clusters are nearly one digit; one holds most of the 3s *and* the
#   9s (and some 5s), whose strokes overlap. The colours are arbitrary cluster ids: here the 0s form cluster 3,
#   drawn in the colour the left panel uses for the 3s;
# - coloured by the **classifier**'s predictions.
#
# Clustering is *unsupervised*: it finds structure, but cannot know what the structure means. Classification is
# *supervised*: it learns the mapping from pixels to the names we care about, and gets most test digits right.
# (Two dimensions keep only about 30 % of the pixels' variance: points that overlap here can still be far apart
# in 64 dimensions, which is why both methods do better than the picture suggests.)

# %%
nodes.draw_clusters_vs_classes(lesson, x, splits.y_test, ids, y_pred)

# %% [markdown]
# ## Try it
#
# - `workshop train mlp --hidden 64 32 16` trains the deep variant.
# - `workshop lesson introduction` — next: how the weights are learned.
#
# ## Watch it in TensorBoard
# The classifier's run alone, `logs/presentation/classifier/`: under Scalars its training and validation
# `epoch_loss` and `epoch_accuracy`, epoch by epoch. (`workshop tensorboard --logdir logs/presentation` also
# shows this lesson's figures, under Images.)

# %%
# %load_ext tensorboard
# %tensorboard --logdir {lesson.logdir}/classifier
