"""The raw level's training loop: tf.GradientTape finds the gradients, the update is by hand.

keras-io's "Writing a training loop from scratch", with the scalars written as TensorBoard's
"Get started" guide writes them. Serves every raw model: a tf.Module with
`__call__(x, training) -> y_pred` and `params` (its tf.Variables, in Keras's order).
Siblings: numpy_loop.py (the gradients by hand too), layers_loop.py (a Keras optimizer and
metrics), keras_fit.py (`fit` does all of it); distributed_loop.py (this loop on several workers).
"""

from workshop.data.pipeline import train_val_datasets
from workshop.metrics import RunningMeans
from workshop.tf_env import keras, tf
from workshop.training import raw_optimizers, schedules, tasks
from workshop.training.views import RawView


def fit(model, data, config, writers, callbacks=(), checkpoint=None):
    """Train `model` in place on `data` (a Splits) for config.epochs; returns the history
    {"loss": [a value per epoch], "accuracy": ..., "val_loss": ..., ...}, as `fit` does.
    writers: the run's tf.summary writers (writers.train, writers.validation; tensorboard/writers.py).
    checkpoint: an EpochCheckpoint (checkpoints.py) to continue from, or None."""
    loss_fn, metrics_fn = tasks.raw_loss(config.task), tasks.raw_metrics(config.task)
    # the learning rate: a number, or a schedule (a number per step; schedules.py)
    optimizer = raw_optimizers.make(config.optimizer, schedules.learning_rate(config, len(data.x_train)))
    optimizer.build(model.params)
    # what a killed run needs to go on: the weights (and dropout's random state), the optimizer's state
    first_epoch = checkpoint.restore(model.variables + optimizer.variables) if checkpoint else 0
    train_ds, val_ds = train_val_datasets(data, config, first_epoch)  # each pass: the next epoch, in the seed's order

    @tf.function  # traced into a graph on the first call, then run without Python
    def train_step(x, y):
        with tf.GradientTape() as tape:  # 1. record the forward pass...
            y_pred = model(x, training=True)
            loss = loss_fn(y, y_pred)
        grads = tape.gradient(loss, model.params)  # 2. ...and play it backwards: d loss / d each variable
        optimizer.apply(grads, model.params)  # 3. the update, by hand: w.assign_sub(learning_rate * g)
        return {"loss": loss, **metrics_fn(y, y_pred)}

    @tf.function
    def test_step(x, y):
        y_pred = model(x, training=False)
        return {"loss": loss_fn(y, y_pred), **metrics_fn(y, y_pred)}

    if first_epoch == 0:  # the Graphs dashboard: train_step's ops (a resumed run has them already)
        with writers.train.as_default():
            tf.summary.graph(train_step.get_concrete_function(*train_ds.element_spec).graph)

    # Keras callbacks (the progress line, guards, dashboards, checkpoint), called as `fit` calls them
    view, history = RawView(model), keras.callbacks.History()  # History: what `fit` returns
    callbacks = keras.callbacks.CallbackList([*callbacks, history], model=view, epochs=config.epochs,
                                             steps=len(train_ds))
    callbacks.on_train_begin()
    for epoch in range(first_epoch, config.epochs):
        callbacks.on_epoch_begin(epoch)
        train, val = RunningMeans(), RunningMeans()  # example-weighted means over the epoch
        for step, (x, y) in enumerate(train_ds):
            logs = train_step(x, y)
            train.add(len(x), logs)
            callbacks.on_train_batch_end(step, logs)
            if view.stop_training:  # a callback said stop (a guard: the loss became NaN)
                break
        for x, y in val_ds:
            val.add(len(x), test_step(x, y))
        with writers.train.as_default():  # Keras's folders and tags: every level overlays on one chart
            for name, value in train.means().items():
                tf.summary.scalar(f"epoch_{name}", value, step=epoch)
            tf.summary.scalar("epoch_learning_rate", optimizer.learning_rate, step=epoch)
        with writers.validation.as_default():
            for name, value in val.means().items():
                tf.summary.scalar(f"epoch_{name}", value, step=epoch)
        callbacks.on_epoch_end(epoch, {**train.means(), **val.means("val_")})
        if view.stop_training:
            break
    callbacks.on_train_end()
    return history.history
