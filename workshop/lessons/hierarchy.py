"""The code behind the "where to go next" lesson (workshop/lessons/next.py): the API
hierarchy in this package's files, other Keras backends, more devices.

    hierarchy, format_hierarchy, draw_hierarchy   the table of workshop/algorithms/<algorithm>_<level>.py
    other_backends                                the same Sequential model on JAX and PyTorch, when installed
    mirrored                                      tf.distribute.MirroredStrategy on two logical CPUs

The hierarchy table is read from workshop/algorithms/ itself, so it can never drift
from the code. The backend and distribution demos run in subprocesses, because both
the Keras backend and TensorFlow's device list are fixed when the library starts.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from workshop.algorithms import ALGORITHMS, LEVELS

ALGORITHMS_DIR = Path(__file__).resolve().parent.parent / "algorithms"

# The same Sequential model on whatever backend KERAS_BACKEND names (no TensorFlow in it).
BACKEND_SCRIPT = """
import keras, numpy as np
from sklearn.datasets import load_digits
d = load_digits()
x, y = d.data.astype("float32") / 16, d.target
model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"), keras.layers.Dense(10)])
model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
h = model.fit(x, y, epochs=EPOCHS, batch_size=64, verbose=0)
print(f"backend {keras.backend.backend()}: accuracy {h.history['accuracy'][-1]:.3f} after EPOCHS epochs")
"""

# Two logical CPUs must be configured before TensorFlow touches a device: a fresh process.
MIRRORED_SCRIPT = """
import tensorflow as tf, keras
from sklearn.datasets import load_digits
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
print(f"replicas in sync: {strategy.num_replicas_in_sync} ({', '.join(strategy.extended.worker_devices)})")
d = load_digits()
with strategy.scope():  # variables created here are mirrored on every replica
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"), keras.layers.Dense(10)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
h = model.fit(d.data.astype("float32") / 16, d.target, epochs=EPOCHS, batch_size=64, verbose=0)
print(f"MirroredStrategy: each batch of 64 split 32 + 32; accuracy {h.history['accuracy'][-1]:.3f}")
"""


def hierarchy() -> list[dict]:
    """One row per algorithm: {algorithm, numpy, raw, layers, keras} -> the file, or '-' when absent."""
    files = {p.stem for p in ALGORITHMS_DIR.glob("*_*.py")}
    names = sorted({stem.rsplit("_", 1)[0] for stem in files if stem.rsplit("_", 1)[1] in LEVELS},
                   key=lambda n: list(ALGORITHMS).index(n) if n in ALGORITHMS else len(ALGORITHMS))
    return [{"algorithm": n, **{level: f"{n}_{level}.py" if f"{n}_{level}" in files else "-" for level in LEVELS}}
            for n in names]


def format_hierarchy(rows) -> str:
    """The rows of `hierarchy()` as a text table, one column per level."""
    header = f"{'algorithm':11}" + "".join(f"{level:20}" for level in LEVELS)
    return "\n".join([header] + [f"{r['algorithm']:11}" + "".join(f"{r[level]:20}" for level in LEVELS)
                                 for r in rows])


def draw_hierarchy(lesson, rows):
    """api_hierarchy.png: the rows of `hierarchy()` as a drawn table."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(10, 0.5 + 0.4 * len(rows)))
    ax.axis("off")
    labels = ["numpy\n(by hand)", "raw\n(tf.Module + tape)", "layers\n(Keras layers, own loop)", "keras\n(fit)"]
    table = ax.table(cellText=[[r[level] for level in LEVELS] for r in rows], rowLabels=[r["algorithm"] for r in rows],
                     colLabels=labels, loc="center", cellLoc="center")
    table.scale(1, 1.8)
    ax.set_title("The API hierarchy: workshop/algorithms/<algorithm>_<level>.py")
    lesson.figure(fig, "api_hierarchy")


def _python(script, env=None, timeout=300):
    """Run `script` in a fresh Python; (True, its printed lines) or (False, the last line of its error)."""
    full_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    done = subprocess.run([sys.executable, "-c", script], env=full_env, capture_output=True, text=True,
                          timeout=timeout)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode:
        return False, (done.stderr.strip().splitlines() or ["failed"])[-1]
    return True, "\n".join(lines)


def other_backends(lesson, epochs) -> dict:
    """Train BACKEND_SCRIPT's model for `epochs` on each installed other backend; {backend: what happened}."""
    results = {}
    for backend, package in (("jax", "jax"), ("torch", "torch")):
        if importlib.util.find_spec(package) is None:
            results[backend] = f"skipped: {package} is not installed (pip install {package} to try it)"
        else:
            ok, text = _python(BACKEND_SCRIPT.replace("EPOCHS", str(epochs)), {"KERAS_BACKEND": backend})
            results[backend] = text if ok else f"failed: {text}"
        lesson.say(f"  KERAS_BACKEND={backend}: {results[backend]}")
    return results


def mirrored(lesson, epochs) -> str:
    """Train MIRRORED_SCRIPT's model for `epochs` under MirroredStrategy; returns (and prints) what it printed."""
    ok, text = _python(MIRRORED_SCRIPT.replace("EPOCHS", str(epochs)))
    text = text if ok else f"failed: {text}"
    for line in text.splitlines():
        lesson.say(f"  {line}")
    return text

