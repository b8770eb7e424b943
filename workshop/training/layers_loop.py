"""The layers level's training loop: a Keras model and a Keras optimizer, our own loop.

What `fit` does, written out as keras-io's "Writing a training loop from scratch" writes it:
GradientTape for the gradients, `optimizer.apply_gradients` for the update, `keras.metrics`
for the running means, `tf.summary.scalar` for TensorBoard. Serves every layers-level model
(a keras.Model). Siblings: raw_loop.py (the update by hand), keras_fit.py (all of this is
`fit`); distributed_loop.py (this loop on several workers).
"""

from workshop.data.pipeline import train_val_datasets
from workshop.tf_env import keras, tf
from workshop.training import schedules, tasks


def fit(model, data, config, writers, callbacks=(), checkpoint=None):
    """Train the keras.Model `model` in place on `data` (a Splits) for config.epochs; returns the
    history {"loss": [a value per epoch], "accuracy": ..., "val_loss": ..., ...}, as `fit` does.
    writers: the run's tf.summary writers (writers.train, writers.validation; tensorboard/writers.py).
    checkpoint: an EpochCheckpoint (checkpoints.py) to continue from, or None."""
    loss_fn = tasks.keras_loss(config.task)
    # the learning rate: a number, or a schedule (a number per step; schedules.py)
    optimizer = tasks.keras_optimizer(config.optimizer, schedules.learning_rate(config, len(data.x_train)))
    optimizer.build(model.trainable_variables)
    # what a killed run needs to go on: the weights (and dropout's random state), the optimizer's state
    first_epoch = checkpoint.restore(model.variables + optimizer.variables) if checkpoint else 0
    train_ds, val_ds = train_val_datasets(data, config, first_epoch)  # each pass: the next epoch, in the seed's order
    train_metrics = [keras.metrics.Mean(name="loss"), *tasks.keras_metrics(config.task)]
    val_metrics = [keras.metrics.Mean(name="loss"), *tasks.keras_metrics(config.task)]

    @tf.function  # traced into a graph on the first call, then run without Python
    def train_step(x, y):
        with tf.GradientTape() as tape:  # 1. record the forward pass
            y_pred = model(x, training=True)
            loss = loss_fn(y, y_pred)
        grads = tape.gradient(loss, model.trainable_variables)  # 2. gradients
        optimizer.apply_gradients(zip(grads, model.trainable_variables))  # 3. the optimizer's update
        update(train_metrics, x, y, y_pred, loss)
        return {"loss": loss}

    @tf.function
    def test_step(x, y):
        y_pred = model(x, training=False)
        update(val_metrics, x, y, y_pred, loss_fn(y, y_pred))

    if first_epoch == 0:  # the Graphs dashboard: train_step's ops (a resumed run has them already)
        with writers.train.as_default():
            tf.summary.graph(train_step.get_concrete_function(*train_ds.element_spec).graph)

    # Keras callbacks (the progress line, guards, dashboards, checkpoint), called as `fit` calls them
    history = keras.callbacks.History()  # what `fit` returns
    callbacks = keras.callbacks.CallbackList([*callbacks, history], model=model, epochs=config.epochs,
                                             steps=len(train_ds))
    model.stop_training = False  # a callback may set it (a guard: the loss blew up), as in `fit`
    callbacks.on_train_begin()
    for epoch in range(first_epoch, config.epochs):
        callbacks.on_epoch_begin(epoch)
        for metric in train_metrics + val_metrics:
            metric.reset_state()
        for step, (x, y) in enumerate(train_ds):
            logs = train_step(x, y)
            callbacks.on_train_batch_end(step, logs)
            if model.stop_training:
                break
        for x, y in val_ds:
            test_step(x, y)
        with writers.train.as_default():  # Keras's folders and tags: every level overlays on one chart
            for metric in train_metrics:
                tf.summary.scalar(f"epoch_{metric.name}", metric.result(), step=epoch)
            tf.summary.scalar("epoch_learning_rate", optimizer.learning_rate, step=epoch)
        with writers.validation.as_default():
            for metric in val_metrics:
                tf.summary.scalar(f"epoch_{metric.name}", metric.result(), step=epoch)
        callbacks.on_epoch_end(epoch, {**results(train_metrics), **results(val_metrics, "val_")})
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
