"""The layers level's training loop: a Keras model and a Keras optimizer, our own loop.

What `fit` does, written out: GradientTape for gradients, `optimizer.apply_gradients`
for the update, `keras.metrics` for the running means. Serves every layers-level model.
Siblings: raw_loop.py (the update by hand), keras_fit.py (all of this is `fit`).
"""

from workshop.tf_env import keras, tf
from workshop.training.common import many_steps, run_epochs, steps_per_call, train_in_calls
from workshop.training.tasks import keras_accuracy, keras_loss, keras_optimizer
from workshop.training.views import KerasView


def fit(model, train_ds, val_ds, task, config, callbacks=(), steps=1, graph_dir=None):
    """Train the keras.Model `model` in place for config.epochs; returns the history dict."""
    view = KerasView(model)
    loss_fn = keras_loss(task)
    optimizer = keras_optimizer(config.optimizer, config.learning_rate)
    optimizer.build(model.trainable_variables)
    per_call = steps_per_call(config, steps)
    train_loss, val_loss = keras.metrics.Mean(name="loss"), keras.metrics.Mean(name="val_loss")
    train_acc, val_acc = keras_accuracy(task), keras_accuracy(task)

    @tf.function(reduce_retracing=True, jit_compile=config.jit_compile)
    def train_step(x, y):
        with tf.GradientTape() as tape:
            y_pred = model(x, training=True)
            loss = loss_fn(y, y_pred)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        train_loss.update_state(loss, sample_weight=tf.shape(x)[0])  # weighted by batch size, as `fit` does
        if train_acc is not None:
            train_acc.update_state(y, y_pred)
        return loss, tf.constant(0.0)  # (loss, correct): the accuracy is kept by train_acc

    train_steps = many_steps(train_step)  # steps_per_execution: n of them per compiled call

    @tf.function(reduce_retracing=True)
    def eval_step(x, y):
        y_pred = model(x, training=False)
        val_loss.update_state(loss_fn(y, y_pred), sample_weight=tf.shape(x)[0])
        if val_acc is not None:
            val_acc.update_state(y, y_pred)

    def train_epoch(epoch, bar, good_weights, callbacks):
        for metric in (train_loss, train_acc):
            if metric is not None:
                metric.reset_state()
        train_in_calls(epoch, steps, per_call, batches, train_step, train_steps, view, good_weights, bar, callbacks,
                       graph_dir)
        logs = {"loss": float(train_loss.result())}
        if train_acc is not None:
            logs["accuracy"] = float(train_acc.result())
        return logs

    def evaluate_val():
        for metric in (val_loss, val_acc):
            if metric is not None:
                metric.reset_state()
        for x, y in val_ds:
            eval_step(x, y)
        logs = {"val_loss": float(val_loss.result())}
        if val_acc is not None:
            logs["val_accuracy"] = float(val_acc.result())
        return logs

    batches = iter(train_ds)  # one stream for all epochs, as `fit` reads it
    return run_epochs(config, view, callbacks, steps, train_epoch, evaluate_val, config.learning_rate)
