"""The code behind the "where to go next" lesson (workshop/lessons/next.py): the API
hierarchy in this package's files, other Keras backends, more machines.

    hierarchy, format_hierarchy, draw_hierarchy   the table of workshop/algorithms/<algorithm>_<level>.py
    other_backends                                the same Sequential model on JAX and PyTorch, when installed
    on_two_workers                                the MLP on 2 worker processes (MultiWorkerMirroredStrategy)
                                                  and in one, their weights compared

The hierarchy table is read from workshop/algorithms/ itself, so it can never drift
from the code. The backend and distribution demos run in subprocesses, because both
the Keras backend and a TensorFlow worker's cluster are fixed when the library starts.
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


def on_two_workers(lesson, epochs) -> dict:
    """The MLP at the raw level with plain SGD, trained on 2 worker processes (`workshop train mlp --api raw
    --workers 2`: MultiWorkerMirroredStrategy over 127.0.0.1) and then in this process, from the same weights
    on the same batches; prints both runs' speed and their largest weight difference, and returns
    {"difference", "workers", "one"} (the two summaries)."""
    import numpy as np

    from workshop.config import RunOptions, TrainConfig
    from workshop.saving import load
    from workshop.training.workers import local_cluster, train_on_workers
    fields = {"model": "mlp", "api": "raw", "optimizer": "sgd", "epochs": epochs}
    saved = {n: lesson.models_dir / f"next-mlp-{n}.keras" for n in ("2-workers", "1-process")}
    # both runs in logs/<lesson>/workers/, which the lesson's TensorBoard for this question opens alone
    options = RunOptions(experiment=f"{lesson.name}/workers", run_name="mlp-raw-2-workers", verbose=0,
                         save=str(saved["2-workers"]))
    two = train_on_workers(TrainConfig(**fields).resolved(), options, local_cluster(2))
    one = lesson.train(save=str(saved["1-process"]), run_name="mlp-raw-1-process", group="workers", **fields)
    weights = {n: load(path)[0].get_weights() for n, path in saved.items()}
    difference = max(float(np.abs(a - b).max()) for a, b in zip(weights["2-workers"], weights["1-process"]))
    for name, s in (("2 workers", two), ("1 process", one)):
        lesson.say(f"  {name:9}  test accuracy {s['test_accuracy']:.2%}  {s['examples_per_second']:7,.0f} examples/s")
    lesson.say(f"  largest weight difference, 2 workers vs 1 process: {difference:.1g}")
    return {"difference": difference, "workers": two, "one": one}
