"""The layers level's training loop: a Keras model and a Keras optimizer, our own loop.

What `fit` does, written out: GradientTape for gradients, `optimizer.apply_gradients`
for the update, `keras.metrics` for the running means. Serves every layers-level model
(a keras.Model). Siblings: raw_loop.py (the update by hand), keras_fit.py (all of this is `fit`).
"""

from workshop.config import RunOptions
from workshop.data.pipeline import train_val_datasets
from workshop.tf_env import keras, tf
from workshop.training import schedules, tasks
from workshop.training.distributed import on_workers
from workshop.training.speed import compiled_steps, steps_per_call


def fit(model, data, config, callbacks=(), options=RunOptions(), checkpoint=None):
    """Train the keras.Model `model` in place on `data` (a Splits) for config.epochs; returns
    the history {"loss": [one value per epoch], "accuracy": ..., "val_loss": ..., ...} as `fit` does.
    checkpoint: an EpochCheckpoint (checkpoints.py) to continue from, or None."""
    loss_fn = tasks.keras_loss(config.task)
    # the learning rate: a number, or a schedule (a number per step; schedules.py)
    optimizer = tasks.keras_optimizer(config.optimizer, schedules.learning_rate(config, len(data.x_train)))
    optimizer.build(model.trainable_variables)
    # what a killed run needs to go on: the weights (and dropout's random state), the optimizer's
    # state and the epochs done; the data order of every epoch follows from the seed
    first_epoch = checkpoint.restore(model.variables + optimizer.variables) if checkpoint else 0
    train_ds, val_ds, steps = train_val_datasets(data, config, first_epoch)
    train_metrics = [keras.metrics.Mean(name="loss"), *tasks.keras_metrics(config.task)]
    val_metrics = [keras.metrics.Mean(name="loss"), *tasks.keras_metrics(config.task)]

    def train_step(x, y):
        with tf.GradientTape() as tape:  # 1. record the forward pass
            y_pred = model(x, training=True)
            loss = loss_fn(y, y_pred)
        grads = tape.gradient(loss, model.trainable_variables)  # 2. gradients
        optimizer.apply_gradients(zip(grads, model.trainable_variables))  # 3. the optimizer's update
        update(train_metrics, x, y, y_pred, loss)
        return {"loss": loss}

    @tf.function  # traced into a graph once, then run without Python
    @on_workers  # with --workers N, on this worker's slice of the batch (training/distributed.py)
    def val_step(x, y):
        y_pred = model(x, training=False)
        update(val_metrics, x, y, y_pred, loss_fn(y, y_pred))

    # the speed-up: train_step compiled, n batches per call; the same batches in the same order
    # (on_workers: with --workers N, every worker runs it on its slice of each batch; alone, it is train_step)
    run_steps = compiled_steps(on_workers(train_step), steps_per_call(options, steps), options.jit_compile)
    history = keras.callbacks.History()
    callbacks = keras.callbacks.CallbackList([*callbacks, history], model=model, epochs=config.epochs,
                                             steps=steps)

    batches = iter(train_ds)  # every epoch's batches in one stream, in the seed's order, as `fit` reads it
    model.stop_training = False  # a callback may set it (a guard: the loss blew up), as in `fit`
    callbacks.on_train_begin()
    for epoch in range(first_epoch, config.epochs):
        callbacks.on_epoch_begin(epoch)
        for metric in train_metrics + val_metrics:
            metric.reset_state()
        for step, _, logs in run_steps(batches, steps):
            callbacks.on_train_batch_end(step, logs)
            if model.stop_training:
                break
        for x, y in val_ds:
            val_step(x, y)
        logs = {**results(train_metrics), **results(val_metrics, "val_")}
        callbacks.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    callbacks.on_train_end()
    return history.history


def update(metrics, x, y, y_pred, loss):
    """metrics[0] is the mean loss, weighted by batch size as `fit` weighs it; the rest take (y, y_pred)."""
    metrics[0].update_state(loss, sample_weight=tf.shape(x)[0])
    for metric in metrics[1:]:
        metric.update_state(y, y_pred)


def results(metrics, prefix=""):
    return {prefix + metric.name: float(metric.result()) for metric in metrics}
