"""Training: one loop per API level, and `train(config, options)` that runs any algorithm at any level.

Read in this order:
    numpy_loop.py, raw_loop.py, layers_loop.py, keras_fit.py   the four loops, one screen each
    levels.py      which loop, view and save each level uses (the one place a level is looked up)
    train.py       train(): data -> model -> loop -> test split -> logs and a saved model
    perceptron_run.py   the perceptron rule's own epoch loop (no gradients)
Around them: tasks.py (losses and accuracy in tf), raw_optimizers.py / numpy_optimizers.py
(the update rules by hand), views.py (one face for every level's model), prepare.py (the
data of each task), guards.py (the NaN stop), checkpoints.py (what `--resume` continues from:
weights, optimizer state, epochs done), progress.py (the one progress line every level prints),
rundir.py (run folders). speed.py holds the
speed machinery the loops use in one named line; a learner never needs to open it.
Several workers (`train --workers N`): distributed.py (what changes inside a worker: its slice of each
batch, its share of the gradient, the sum across workers; `on_workers` is the loops' one line),
workers.py (the processes, started and watched without TensorFlow), scaling.py (examples/s on 1, 2, 4).
"""
