"""The keras level: `compile` + `fit`. Everything the other loops write out by hand, Keras does
here: batching, gradients, the update, metrics, callbacks, and keras.callbacks.TensorBoard
writes the curves and the weights' histograms into the folders and tags the other loops copy.

Siblings: numpy_loop.py, raw_loop.py, layers_loop.py.
"""

from workshop.config import RunOptions
from workshop.data.pipeline import steps_per_epoch, train_val_datasets
from workshop.tf_env import keras
from workshop.training import schedules, tasks

MAX_STEPS_PER_EXECUTION = 64


def fit(model, data, config, writers, callbacks=(), options=RunOptions(), checkpoint=None):
    """compile + fit the keras.Model `model` on `data` (a Splits); returns the history dict.
    writers: the run's tf.summary writers (tensorboard/writers.py): their run_dir is the callback's log_dir.
    checkpoint: an EpochCheckpoint (checkpoints.py, also among the callbacks) to continue from, or None."""
    # the learning rate: a number, or a schedule (a number per step; schedules.py)
    optimizer = tasks.keras_optimizer(config.optimizer, schedules.learning_rate(config, len(data.x_train)))
    optimizer.build(model.trainable_variables)  # its slots exist before a checkpoint fills them
    first_epoch = checkpoint.restore(model.variables + optimizer.variables) if checkpoint else 0
    train_ds, val_ds = train_val_datasets(data, config, first_epoch)  # each pass: the next epoch, in the seed's order
    model.compile(optimizer=optimizer, loss=tasks.keras_loss(config.task), metrics=tasks.keras_metrics(config.task),
                  steps_per_execution=steps_per_execution(options, len(train_ds)),  # batches per compiled call
                  jit_compile=options.jit_compile)
    if writers.run_dir is not None:  # a run folder to write into (not a test's bare fit)
        tensorboard = keras.callbacks.TensorBoard(log_dir=str(writers.run_dir), histogram_freq=1,
                                                  update_freq="batch" if options.batch_summaries else "epoch",
                                                  write_graph=first_epoch == 0)  # a resumed run has its graph
        writers.also_flush(tensorboard)  # its event files on disk with ours, before each resume checkpoint
        callbacks = [tensorboard, *callbacks]
    history = model.fit(train_ds, validation_data=val_ds, initial_epoch=first_epoch, epochs=config.epochs,
                        steps_per_epoch=steps_per_epoch(len(data.x_train), config.batch_size),
                        shuffle=False,  # train_ds is already in the seed's order
                        verbose=0,  # the progress line is train()'s, the same at every level
                        callbacks=list(callbacks))
    return {key: [float(v) for v in values] for key, values in history.history.items()}


def steps_per_execution(options, steps: int) -> int:
    """Batches per compiled call: options.steps_per_execution, or 0 = auto: a whole epoch, at most 64
    (`workshop bench` measured 1.8-3.5x over one on the digits). Per-batch summaries need the callbacks
    after every batch, so they get one."""
    if options.batch_summaries:
        return 1
    return options.steps_per_execution or min(steps, MAX_STEPS_PER_EXECUTION)
