"""The numpy level's training loop: the model computes its own gradients, we update by hand.

Serves every numpy model: `params` (a list of arrays, Keras order), `forward(x) -> y_pred`
and `gradients(x, y) -> (loss, grads)`. No TensorFlow does any math here: `tf.summary`
only writes the curves for TensorBoard, and Keras's callbacks carry the results to the
progress line and the other dashboards.
Siblings: raw_loop.py (GradientTape finds the gradients), layers_loop.py, keras_fit.py.
"""

import math

from workshop import metrics
from workshop.data.pipeline import epoch_orders
from workshop.tf_env import keras, tf
from workshop.training import numpy_optimizers
from workshop.training.views import NumpyView


def fit(model, data, config, writers, callbacks=(), checkpoint=None):
    """Train `model` in place on `data` (a Splits) for config.epochs; returns the history
    {"loss": [one value per epoch], "accuracy": ..., "val_loss": ..., ...} as `fit` does.

    Each epoch visits the training set in a new order drawn from config.seed, the same
    order every level reads (workshop/data/pipeline.py). writers: the run's tf.summary writers
    (tensorboard/writers.py). checkpoint: an EpochCheckpoint (checkpoints.py) to continue from, or None.
    """
    optimizer = numpy_optimizers.make(config.optimizer, config.learning_rate)
    optimizer.build(model.params)
    # what a killed run needs to go on: the weights, the optimizer's state and the epochs done
    first_epoch = checkpoint.restore(model.params + optimizer.variables) if checkpoint else 0
    orders = epoch_orders(len(data.x_train), config.epochs, config.seed)  # the TF levels read the same order
    steps = math.ceil(len(data.x_train) / config.batch_size)
    view = NumpyView(model)  # get_weights / set_weights / stop_training: what Keras callbacks expect of a model
    history = keras.callbacks.History()
    callbacks = keras.callbacks.CallbackList([*callbacks, history], model=view, epochs=config.epochs,
                                             steps=steps)

    callbacks.on_train_begin()
    for epoch in range(first_epoch, config.epochs):
        callbacks.on_epoch_begin(epoch)
        train = metrics.RunningMeans()
        for step in range(steps):
            batch = orders[epoch][step * config.batch_size:(step + 1) * config.batch_size]
            x, y = data.x_train[batch], data.y_train[batch]
            y_pred = model.forward(x)  # before the update: the moment `fit` measures accuracy
            loss, grads = model.gradients(x, y)  # 1 + 2. the forward pass and backpropagation, by hand
            optimizer.apply(grads, model.params)  # 3. the update: w -= learning_rate * g (SGD)
            logs = {"loss": loss, **metrics.batch_metrics(config.task, y, y_pred)}
            train.add(len(x), logs)
            callbacks.on_train_batch_end(step, logs)
            if view.stop_training:  # a callback said stop (a guard: the loss blew up)
                break
        val = metrics.evaluate(config.task, data.y_val, model.forward(data.x_val))
        with writers.train.as_default():  # Keras's folders and tags: every level overlays on one chart
            for name, value in train.means().items():
                tf.summary.scalar(f"epoch_{name}", value, step=epoch)
            tf.summary.scalar("epoch_learning_rate", optimizer.learning_rate, step=epoch)
        with writers.validation.as_default():
            for name, value in val.items():
                tf.summary.scalar(f"epoch_{name}", value, step=epoch)
        callbacks.on_epoch_end(epoch, {**train.means(), **{f"val_{k}": v for k, v in val.items()}})
        if view.stop_training:
            break
    callbacks.on_train_end()
    return history.history
