"""Training: one loop per API level, and `train(config, options)` that runs any algorithm at any level.

Read in this order:
    numpy_loop.py, raw_loop.py, layers_loop.py, keras_fit.py   the four loops, one screen each: keras-io's
                   "training loop from scratch" (`@tf.function` train_step, `for step, (x, y) in
                   enumerate(train_ds)`, validation, `tf.summary.scalar`), and `compile` + `fit`
    levels.py      which loop, view and save each level uses (the one place a level is looked up)
    train.py       train(): data -> model -> loop -> test split -> logs and a saved model
    perceptron_run.py   the perceptron rule's own epoch loop (no gradients)
Around them: tasks.py (losses and accuracy in tf), raw_optimizers.py / numpy_optimizers.py
(the update rules by hand), schedules.py (one-cycle: Keras's CosineDecay with a warm-up),
views.py (one face for every level's model), prepare.py (the data of each task), guards.py (the
NaN stop), checkpoints.py (what `--resume` continues from: weights, optimizer state, epochs done),
progress.py (the one progress line every level prints), rundir.py (run folders), speed.py (the
thread rule, bfloat16 and the stopwatch, applied around the loops).
Several workers (`train --workers N`): distributed_loop.py (the raw and layers loop under
tf.distribute, as TensorFlow's tutorial writes it), distributed.py (the process's strategy),
workers.py (the processes, started and watched without TensorFlow), scaling.py (examples/s on 1, 2, 4).
"""
