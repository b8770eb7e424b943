"""The raw level's training loop: tf.GradientTape for gradients, the update by hand.

Serves every raw model (a tf.Module with `__call__(x, training)` and `params`).
Siblings: numpy_loop.py (gradients by hand too), layers_loop.py (Keras optimizer
and metrics), keras_fit.py (`fit` does all of it).
"""

from workshop.tf_env import tf
from workshop.training import raw_optimizers
from workshop.training.common import EpochMeans, many_steps, run_epochs, steps_per_call, train_in_calls
from workshop.training.tasks import raw_correct, raw_loss
from workshop.training.views import RawView


def fit(model, train_ds, val_ds, task, config, callbacks=(), steps=1, graph_dir=None):
    """Train `model` in place for config.epochs; returns the history dict.

    train_ds: endless tf.data of (x, y) batches, `steps` per epoch; val_ds: finite
    (both from workshop.data.make_dataset).
    """
    view = RawView(model)
    loss_fn, correct_fn = raw_loss(task), raw_correct(task)
    optimizer = raw_optimizers.make(config.optimizer, config.learning_rate)
    optimizer.build(model.params)
    per_call = steps_per_call(config, steps)

    @tf.function(reduce_retracing=True, jit_compile=config.jit_compile)  # traced once, then run as a graph
    def train_step(x, y):
        with tf.GradientTape() as tape:  # 1. record the forward pass...
            y_pred = model(x, training=True)
            loss = loss_fn(y, y_pred)
        grads = tape.gradient(loss, model.params)  # 2. ...and play it backwards: d loss / d each variable
        optimizer.apply(grads, model.params)  # 3. the update, by hand: w.assign_sub(learning_rate * g)
        correct = correct_fn(y, y_pred) if correct_fn else tf.constant(0.0)
        return loss, correct

    train_steps = many_steps(train_step)  # steps_per_execution: n of them per compiled call

    @tf.function(reduce_retracing=True)
    def eval_step(x, y):
        y_pred = model(x, training=False)
        return loss_fn(y, y_pred), (correct_fn(y, y_pred) if correct_fn else tf.constant(0.0))

    def train_epoch(epoch, bar, good_weights, callbacks):
        means = train_in_calls(epoch, steps, per_call, batches, train_step, train_steps, view, good_weights, bar,
                               callbacks, graph_dir)
        return means.logs(with_accuracy=correct_fn is not None)

    def evaluate_val():
        means = EpochMeans()
        for x, y in val_ds:
            loss, correct = eval_step(x, y)
            means.add(int(x.shape[0]), loss, correct)
        return means.logs("val_", with_accuracy=correct_fn is not None)

    batches = iter(train_ds)  # one stream for all epochs, as `fit` reads it
    return run_epochs(config, view, callbacks, steps, train_epoch, evaluate_val, config.learning_rate)
