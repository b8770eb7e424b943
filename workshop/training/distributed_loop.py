"""The raw and layers levels' loop on several workers (`train --workers N`), written as TensorFlow's
"Custom training loop with tf.distribute.Strategy" tutorial writes it.

Every worker holds a whole copy of the model and takes its slice of each global batch. In
`strategy.run` the loss is `tf.nn.compute_average_loss` over the slice divided by the *global*
batch size, so the gradients summed across workers (by a Keras optimizer made under the
strategy's scope itself; by hand at the raw level) are the one process's gradient, and every
copy takes the same step. `strategy.reduce` sums what the steps return: every worker logs the
global means. Siblings: raw_loop.py and layers_loop.py, the same loop in one process.
"""

from workshop.data.pipeline import train_val_datasets
from workshop.metrics import RunningMeans
from workshop.tf_env import keras, tf
from workshop.training import distributed, raw_optimizers, schedules, tasks
from workshop.training.views import KerasView, RawView

SUM = tf.distribute.ReduceOp.SUM


def worker_batches(ds, worker: int, workers: int):
    """ds of global (x, y) batches -> (x, y, global batch size) of worker `worker`'s slice of each."""
    def my_slice(x, y):
        size = tf.shape(x)[0]
        base, extra = size // workers, size % workers
        begin = worker * base + tf.minimum(worker, extra)
        end = begin + base + tf.cast(worker < extra, tf.int32)
        return x[begin:end], y[begin:end], size
    return ds.map(my_slice)


def fit(model, data, config, writers, callbacks=(), checkpoint=None):
    """As raw_loop.fit / layers_loop.fit (config.api says which), on this process's strategy's workers."""
    strategy, raw = distributed.strategy(), config.api == "raw"
    per_example_loss = tasks.raw_per_example_loss(config.task) if raw else tasks.keras_loss(config.task, None)
    accuracy = tasks.raw_metrics(config.task)  # {"accuracy": the slice's mean}, or {} for a regression
    rate = schedules.learning_rate(config, len(data.x_train))
    params = model.params if raw else model.trainable_variables
    with distributed.scope_for(config.api):
        optimizer = raw_optimizers.make(config.optimizer, rate) if raw else tasks.keras_optimizer(config.optimizer, rate)
        optimizer.build(params)
    first_epoch = checkpoint.restore(model.variables + optimizer.variables) if checkpoint else 0
    train_ds, val_ds = train_val_datasets(data, config, first_epoch)
    worker, workers = distributed.index(), distributed.count()
    dist_train_ds = strategy.distribute_datasets_from_function(lambda _: worker_batches(train_ds, worker, workers))
    dist_val_ds = strategy.distribute_datasets_from_function(lambda _: worker_batches(val_ds, worker, workers))

    def sums(x, y, y_pred, loss, size):  # the slice's share of the global batch's means
        share = tf.cast(tf.shape(x)[0], tf.float32) / tf.cast(size, tf.float32)
        means = {k: tf.where(share > 0, v * share, 0.0) for k, v in accuracy(y, y_pred).items()}
        return {"loss": loss, **means}

    def train_step(x, y, size):
        with tf.GradientTape() as tape:
            y_pred = model(x, training=True)
            loss = tf.nn.compute_average_loss(per_example_loss(y, y_pred), global_batch_size=size)
        grads = tape.gradient(loss, params)
        if raw:  # the update by hand: on the sum of every worker's gradients
            optimizer.apply(tf.distribute.get_replica_context().all_reduce(SUM, grads), params)
        else:  # a Keras optimizer made under the strategy's scope sums them itself
            optimizer.apply_gradients(zip(grads, params))
        return sums(x, y, y_pred, loss, size)

    def test_step(x, y, size):
        y_pred = model(x, training=False)
        return sums(x, y, y_pred, tf.nn.compute_average_loss(per_example_loss(y, y_pred), global_batch_size=size), size)

    @tf.function
    def distributed_step(step, x, y, size):  # step: train_step or test_step, on every worker's slice
        logs = strategy.run(step, args=(x, y, size))
        return {k: strategy.reduce(SUM, v, axis=None) for k, v in logs.items()}

    view, history = (RawView if raw else KerasView)(model), keras.callbacks.History()
    callbacks = keras.callbacks.CallbackList([*callbacks, history], model=view, epochs=config.epochs,
                                             steps=len(train_ds))
    view.stop_training = False
    callbacks.on_train_begin()
    for epoch in range(first_epoch, config.epochs):
        callbacks.on_epoch_begin(epoch)
        train, val = RunningMeans(), RunningMeans()
        for step, (x, y, size) in enumerate(dist_train_ds):
            logs = distributed_step(train_step, x, y, size)
            train.add(strategy.experimental_local_results(size)[0], logs)
            callbacks.on_train_batch_end(step, logs)
            if view.stop_training:
                break
        for x, y, size in dist_val_ds:
            val.add(strategy.experimental_local_results(size)[0], distributed_step(test_step, x, y, size))
        with writers.train.as_default():
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
