"""`train_perceptron(cfg)`: the perceptron rule at the numpy or raw level, epoch by epoch,
until an epoch makes no error - or the epoch cap says it never will.

    data (truth tables or digits 0-vs-1) -> initial weights (the seed, as every level)
    -> model (algorithms/perceptron_<api>.py) -> epochs of the rule -> summary
    -> logs/<experiment>/perceptron-<api>-<dataset>-<time>/ and, if asked, a .npz.

The perceptron has no loss to descend: its "loss" in the logs and the summary is the
error rate (wrong / examples), its accuracy 1 - that, so TensorBoard shows it beside
the other algorithms. The summary has run.py's keys plus `converged` and
`errors_per_epoch` (wrong examples in each epoch, while learning).
"""

import time
from dataclasses import asdict

import numpy as np

from workshop.algorithms.shapes import kernel_shapes
from workshop.algorithms.weights import initial_weights
from workshop.paths import logs_dir
from workshop.training.rundir import new_run_dir

# The four rows of a two-input truth table, and each gate's answers.
TRUTH_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
TRUTH_TABLES = {
    "or": np.array([0, 1, 1, 1], np.float32),
    "and": np.array([0, 0, 0, 1], np.float32),
    "xor": np.array([0, 1, 1, 0], np.float32),
}


def perceptron_data(cfg):
    """(x_train, y_train, x_val, y_val, x_test, y_test, version); y float32 (n,) in {0, 1}.

    or/and/xor: the whole function is four rows, so they are train, val and test at once
    (the question is whether the rule can *represent* the table, not whether it generalizes).
    digits: the real splits, only the 0s and the 1s, y = 1.0 for a 1; x flattened to (n, 64).
    """
    if cfg.dataset in TRUTH_TABLES:
        x, y = TRUTH_INPUTS, TRUTH_TABLES[cfg.dataset]
        return x, y, x, y, x, y, f"truth-table/{cfg.dataset}"
    from workshop import data as datasets
    splits = datasets.load(cfg.dataset, cfg.data_dir, seed=cfg.seed)
    parts = []
    for x, y in ((splits.x_train, splits.y_train), (splits.x_val, splits.y_val), (splits.x_test, splits.y_test)):
        keep = (y == 0) | (y == 1)
        parts += [x[keep].reshape(int(keep.sum()), -1), (y[keep] == 1).astype(np.float32)]
    if cfg.max_examples:
        parts[0], parts[1] = parts[0][:cfg.max_examples], parts[1][:cfg.max_examples]
    return (*parts, splits.version)


def build_perceptron(cfg, input_dim):
    """The perceptron of level cfg.api, started from the seed's weights [kernel (d, 1), bias (1,)]."""
    weights = initial_weights(kernel_shapes("perceptron", (input_dim,), 1), cfg.seed)
    if cfg.api == "raw":
        from workshop.algorithms import perceptron_raw as level
    else:
        from workshop.algorithms import perceptron_numpy as level
    return level.create(cfg, (input_dim,), 1, weights)


def _learner(cfg, model, x, y):
    """epoch() -> wrong count, and predict(x) -> NumPy (n,), for either level."""
    if cfg.api == "raw":
        from workshop.tf_env import tf
        x_t, y_t, rate = tf.constant(x), tf.constant(y), tf.constant(cfg.learning_rate, tf.float32)
        return (lambda: int(model.train_epoch(x_t, y_t, rate).numpy()),
                lambda x: model(tf.constant(x)).numpy())
    return lambda: model.train_epoch(x, y, cfg.learning_rate), model.predict


def error_rate(predict, x, y) -> float:
    return float(np.mean(predict(x) != y))


def train_perceptron(cfg) -> dict:
    """Train the perceptron of an already-resolved TrainConfig; returns the summary dict."""
    start = time.perf_counter()
    x_train, y_train, x_val, y_val, x_test, y_test, version = perceptron_data(cfg)
    run_dir = new_run_dir(logs_dir(cfg.logdir), cfg.experiment, f"perceptron-{cfg.api}-{cfg.dataset}")
    model = build_perceptron(cfg, x_train.shape[1])
    train_epoch, predict = _learner(cfg, model, x_train, y_train)

    from workshop.tensorboard.scalars import EpochScalars
    scalars = EpochScalars(run_dir)  # the tags Keras's TensorBoard callback writes
    errors_per_epoch, logs, seconds = [], {}, 0.0
    for epoch in range(cfg.epochs):
        tick = time.perf_counter()
        errors = train_epoch()
        seconds += time.perf_counter() - tick  # the rule's own time: examples/s measures learning, not logging
        errors_per_epoch.append(errors)
        val_loss = error_rate(predict, x_val, y_val)
        logs = {"loss": errors / len(x_train), "accuracy": 1 - errors / len(x_train),
                "val_loss": val_loss, "val_accuracy": 1 - val_loss, "learning_rate": cfg.learning_rate}
        scalars.on_epoch_end(epoch, logs)
        if cfg.verbose:
            print(f"Epoch {epoch + 1}/{cfg.epochs}: {errors} of {len(x_train)} wrong - "
                  f"val_accuracy {logs['val_accuracy']:.4f}")
        if errors == 0:  # a whole epoch without a mistake: the rule will never move w again
            break
    scalars.on_train_end(logs)

    converged = errors_per_epoch[-1] == 0
    if cfg.verbose:
        if converged:
            print(f"converged after {len(errors_per_epoch)} epochs: every training example is right")
        else:
            why = ("xor is not linearly separable: no line puts (0,1) and (1,0) on one side and (0,0) and (1,1) "
                   "on the other" if cfg.dataset == "xor" else
                   f"{cfg.dataset} may not be linearly separable (no line splits the classes), or needs more epochs")
            print(f"did not converge: still {errors_per_epoch[-1]} of {len(x_train)} wrong after {cfg.epochs} "
                  f"epochs - {why}. This is why networks have hidden layers (try `workshop train mlp`).")

    test_loss = error_rate(predict, x_test, y_test)
    summary = {
        "model": cfg.model, "api": cfg.api, "dataset": cfg.dataset, "epochs": len(errors_per_epoch),
        "batch_size": 1, "learning_rate": cfg.learning_rate, "optimizer": cfg.optimizer, "seed": cfg.seed,
        "train_loss": logs["loss"], "train_accuracy": logs["accuracy"],
        "val_loss": logs["val_loss"], "val_accuracy": logs["val_accuracy"],
        "test_loss": test_loss, "test_accuracy": 1 - test_loss,
        "examples_per_second": len(errors_per_epoch) * len(x_train) / seconds if seconds else None,
        "wall_seconds": time.perf_counter() - start, "run_dir": str(run_dir),
        "converged": converged, "errors_per_epoch": errors_per_epoch,
    }
    if cfg.save:
        summary["saved"] = str(save_perceptron(cfg, model, x_train.shape[1], version))
    summary["config"] = {k: v for k, v in asdict(cfg).items() if k not in ("verbose",)}
    return summary


def save_perceptron(cfg, model, input_dim, version):
    """[kernel (d, 1), bias (1,)] and run.py's metadata, as .npz (both levels: there is no Keras perceptron)."""
    from workshop import saving
    names = ("0", "1")
    meta = {"model": cfg.model, "api": cfg.api, "dataset": cfg.dataset, "input_shape": [input_dim],
            "classes": 1, "class_names": list(names), "hidden": [], "task": "perceptron",
            "data_version": version, "seed": cfg.seed, "saved": time.strftime("%Y-%m-%dT%H:%M:%S")}
    return saving.save_npz(model.get_weights(), cfg.save, meta)
