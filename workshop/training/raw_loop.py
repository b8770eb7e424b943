"""The raw level's training loop: tf.GradientTape for gradients, the update by hand.

Serves every raw model: a tf.Module with `__call__(x, training) -> y_pred` and `params`
(its tf.Variables). Siblings: numpy_loop.py (gradients by hand too), layers_loop.py
(Keras optimizer and metrics), keras_fit.py (`fit` does all of it).
"""

from workshop.config import RunOptions
from workshop.data.pipeline import train_val_datasets
from workshop.metrics import RunningMeans
from workshop.tf_env import keras, tf
from workshop.training import raw_optimizers, schedules, tasks
from workshop.training.distributed import on_workers
from workshop.training.speed import compiled_steps, steps_per_call
from workshop.training.views import RawView


def fit(model, data, config, callbacks=(), options=RunOptions(), checkpoint=None):
    """Train `model` in place on `data` (a Splits) for config.epochs; returns the history
    {"loss": [one value per epoch], "accuracy": ..., "val_loss": ..., ...} as `fit` does.
    checkpoint: an EpochCheckpoint (checkpoints.py) to continue from, or None."""
    loss_fn, metrics_fn = tasks.raw_loss(config.task), tasks.raw_metrics(config.task)
    # the learning rate: a number, or a schedule (a number per step; schedules.py)
    optimizer = raw_optimizers.make(config.optimizer, schedules.learning_rate(config, len(data.x_train)))
    optimizer.build(model.params)
    # what a killed run needs to go on: the weights (and dropout's random state), the optimizer's
    # state and the epochs done; the data order of every epoch follows from the seed
    first_epoch = checkpoint.restore(model.variables + optimizer.variables) if checkpoint else 0
    train_ds, val_ds, steps = train_val_datasets(data, config, first_epoch)

    def train_step(x, y):
        with tf.GradientTape() as tape:  # 1. record the forward pass...
            y_pred = model(x, training=True)
            loss = loss_fn(y, y_pred)
        grads = tape.gradient(loss, model.params)  # 2. ...and play it backwards: d loss / d each variable
        optimizer.apply(grads, model.params)  # 3. the update, by hand: w.assign_sub(learning_rate * g)
        return {"loss": loss, **metrics_fn(y, y_pred)}

    @tf.function  # traced into a graph once, then run without Python
    @on_workers  # with --workers N, on this worker's slice of the batch (training/distributed.py)
    def val_step(x, y):
        y_pred = model(x, training=False)
        return {"loss": loss_fn(y, y_pred), **metrics_fn(y, y_pred)}

    # the speed-up: train_step compiled, n batches per call; the same batches in the same order
    # (on_workers: with --workers N, every worker runs it on its slice of each batch; alone, it is train_step)
    run_steps = compiled_steps(on_workers(train_step), steps_per_call(options, steps), options.jit_compile)
    view = RawView(model)  # get_weights / set_weights / stop_training: what Keras callbacks expect of a model
    history = keras.callbacks.History()
    callbacks = keras.callbacks.CallbackList([*callbacks, history], model=view, epochs=config.epochs,
                                             steps=steps)

    batches = iter(train_ds)  # every epoch's batches in one stream, in the seed's order, as `fit` reads it
    callbacks.on_train_begin()
    for epoch in range(first_epoch, config.epochs):
        callbacks.on_epoch_begin(epoch)
        train = RunningMeans()
        for step, size, logs in run_steps(batches, steps):
            train.add(size, logs)
            callbacks.on_train_batch_end(step, logs)
            if view.stop_training:  # a callback said stop (a guard: the loss blew up)
                break
        val = RunningMeans()
        for x, y in val_ds:
            val.add(len(x), val_step(x, y))
        logs = {**train.means(), **val.means("val_")}
        callbacks.on_epoch_end(epoch, logs)
        if view.stop_training:
            break
    callbacks.on_train_end()
    return history.history
