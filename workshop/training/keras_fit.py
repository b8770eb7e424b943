"""The keras level: `compile` + `fit`. Everything the other loops write out by hand,
Keras does here: batching, gradients, the update, metrics, callbacks, progress line.

Siblings: numpy_loop.py, raw_loop.py, layers_loop.py.
"""

from workshop.config import RunOptions
from workshop.data.pipeline import steps_per_epoch, train_val_datasets
from workshop.training import schedules, tasks
from workshop.training.speed import steps_per_call


def fit(model, data, config, callbacks=(), options=RunOptions(), checkpoint=None):
    """compile + fit the keras.Model `model` on `data` (a Splits); returns the history dict.
    checkpoint: an EpochCheckpoint (checkpoints.py, also among the callbacks) to continue from, or None."""
    # the learning rate: a number, or a schedule (a number per step; schedules.py)
    optimizer = tasks.keras_optimizer(config.optimizer, schedules.learning_rate(config, len(data.x_train)))
    optimizer.build(model.trainable_variables)  # its slots exist before a checkpoint fills them
    first_epoch = checkpoint.restore(model.variables + optimizer.variables) if checkpoint else 0
    steps = steps_per_epoch(len(data.x_train), config.batch_size)
    n = steps_per_call(options, steps)  # the speed-up: n batches per compiled call (the same batches in the same order)
    train_ds, val_ds, _ = train_val_datasets(data, config, first_epoch, calls_of=n)  # calls end with epochs
    model.compile(optimizer=optimizer, loss=tasks.keras_loss(config.task), metrics=tasks.keras_metrics(config.task),
                  steps_per_execution=n, jit_compile=options.jit_compile)
    history = model.fit(train_ds, validation_data=val_ds, initial_epoch=first_epoch, epochs=config.epochs,
                        steps_per_epoch=steps,  # where an epoch ends (train_ds may run on into the next)
                        shuffle=False,  # the pipeline already shuffles, by seed
                        verbose=0,  # the progress line is train()'s, the same at every level
                        callbacks=list(callbacks))
    return {key: [float(v) for v in values] for key, values in history.history.items()}
