"""`train_perceptron(config, options, start)`: the perceptron rule at the numpy or raw level,
epoch by epoch, until an epoch makes no error - or the epoch cap says it never will.

    data (prepare.py: a truth table, or the digits' 0s and 1s) -> initial weights (the seed)
    -> model (algorithms/perceptron_<api>.py) -> epochs of the rule -> summary
    -> logs/<experiment>/perceptron-<api>-<dataset>-<time>/ and, if asked, a .npz.

Both levels' models offer `train_epoch(x, y, learning_rate) -> mistakes`, `predict(x)`
and `get_weights()`, so nothing here asks which level it runs. The perceptron has no loss
to descend: its "loss" in the logs and the summary is the error rate of the weights at the
end of each epoch (wrong / examples) and its accuracy 1 - that, so TensorBoard shows it
beside the other algorithms. The summary has train.py's keys plus `converged` and
`errors_per_epoch`: the mistakes made *while* learning in each epoch (the weights move after
every mistake, so they are not what the final weights get: on xor the rule keeps making
mistakes every epoch while its final line still gets 2 of the 4 rows right).
"""

import time

import numpy as np

from workshop import hints, saving
from workshop.config import settings
from workshop.paths import logs_dir
from workshop.tensorboard.writers import RunWriters
from workshop.tf_env import tf
from workshop.training.levels import build_model, metadata
from workshop.training.prepare import prepare
from workshop.training.rundir import new_run_dir


def error_rate(model, x, y) -> float:
    """The fraction of examples the current weights get wrong."""
    return float(np.mean(model.predict(x) != y))


def train_perceptron(config, options, start) -> dict:
    """Train the perceptron of a resolved TrainConfig; returns the summary dict."""
    if options.save:  # both levels save .npz (there is no Keras perceptron): check the path before learning
        saving.check_target(options.save, ".npz")
    data = prepare(config, options.data_dir)
    run_dir = new_run_dir(logs_dir(options.logdir), options.experiment, f"perceptron-{config.api}-{config.dataset}")
    model = build_model(config, data)
    x, y = data.x_train, data.y_train

    writers = RunWriters(run_dir)  # the folders and tags Keras's TensorBoard callback writes
    errors_per_epoch, logs, seconds = [], {}, 0.0
    for epoch in range(config.epochs):
        tick = time.perf_counter()
        errors = model.train_epoch(x, y, config.learning_rate)
        seconds += time.perf_counter() - tick  # the rule's own time: examples/s measures learning, not logging
        errors_per_epoch.append(errors)
        train_loss, val_loss = error_rate(model, x, y), error_rate(model, data.x_val, data.y_val)
        logs = {"loss": train_loss, "accuracy": 1 - train_loss, "val_loss": val_loss, "val_accuracy": 1 - val_loss}
        with writers.train.as_default():
            tf.summary.scalar("epoch_loss", logs["loss"], step=epoch)
            tf.summary.scalar("epoch_accuracy", logs["accuracy"], step=epoch)
        with writers.validation.as_default():
            tf.summary.scalar("epoch_loss", logs["val_loss"], step=epoch)
            tf.summary.scalar("epoch_accuracy", logs["val_accuracy"], step=epoch)
        if options.verbose:
            print(f"Epoch {epoch + 1}/{config.epochs}: {errors} mistakes while learning - accuracy "
                  f"{logs['accuracy']:.4f} - val_accuracy {logs['val_accuracy']:.4f}")
        if errors == 0:  # a whole epoch without a mistake: the rule will never move w again
            break
    writers.close()

    converged = errors_per_epoch[-1] == 0
    if options.verbose:
        if converged:
            print(f"converged after {len(errors_per_epoch)} epochs: every training example is right")
        else:
            why = ("xor is not linearly separable: no line puts (0,1) and (1,0) on one side and (0,0) and (1,1) "
                   "on the other" if config.dataset == "xor" else
                   f"{config.dataset} may not be linearly separable (no line splits the classes), or needs more epochs")
            print(f"did not converge: still {errors_per_epoch[-1]} mistakes in the last of {config.epochs} epochs "
                  f"(the final weights get {round(logs['accuracy'] * len(x))} of {len(x)} right) - {why}. "
                  f"This is why networks have hidden layers (try `{hints.command('train mlp')}`).")

    test_loss = error_rate(model, data.x_test, data.y_test)
    summary = {
        "model": config.model, "api": config.api, "dataset": config.dataset, "epochs": len(errors_per_epoch),
        "batch_size": 1, "learning_rate": config.learning_rate, "optimizer": config.optimizer, "seed": config.seed,
        "train_loss": logs["loss"], "train_accuracy": logs["accuracy"],
        "val_loss": logs["val_loss"], "val_accuracy": logs["val_accuracy"],
        "test_loss": test_loss, "test_accuracy": 1 - test_loss,
        "examples_per_second": len(errors_per_epoch) * len(x) / seconds if seconds else None,
        "wall_seconds": time.perf_counter() - start, "run_dir": str(run_dir),
        "converged": converged, "errors_per_epoch": errors_per_epoch,
    }
    if options.save:
        # [kernel (d, 1), bias (1,)] as .npz at both levels: there is no Keras perceptron
        summary["saved"] = str(saving.save_npz(model.get_weights(), options.save,
                                               {**metadata(config, data), "hidden": []}))
    summary["config"] = settings(config, options)
    return summary
