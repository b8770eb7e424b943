"""The two kinds of contender a worker (worker.py) trains, each telling `clock` (clock.EpochClock)
where its epochs end:

    "recipe"  Keras's MNIST convnet example as written (reference.py): `fit` on NumPy arrays, a
              validation pass ending every epoch; a Keras callback ticks the clock
    "train"   the project as a user runs it: `train(TrainConfig, RunOptions)`, whole epochs with
              what `workshop train` adds to them (validation, dashboards, the resume checkpoint;
              RunOptions(dashboards=False) leaves the dashboards out); the progress line it
              prints at each epoch's end ticks the clock

Both return the test accuracy, scored once after training: it reports, it never chooses or stops.
Only the project's public interface is used (TrainConfig, RunOptions, train), so a "train"
contender can come from another checkout (`use_checkout`): old and new code side by side.
"""

import shutil
import sys
import tempfile
from dataclasses import replace

from workshop.bench.clock import EpochLines
from workshop.paths import data_dir

RECIPE_SEED = 0


def run_recipe(spec, dataset, quick, epochs, clock) -> float:
    from workshop import data
    from workshop.bench import reference
    from workshop.tf_env import keras
    clock.start()  # as for train(): from loading the data on
    splits = data.load(dataset)
    keep = spec.max_examples(dataset, quick)
    if keep:
        splits = replace(splits, x_train=splits.x_train[:keep], y_train=splits.y_train[:keep])
    # seeded as the project's runs are (TrainConfig.seed 0): unseeded, the recipe's final validation
    # accuracy, the time-to-accuracy target, moved from run to run (99.25 % and 99.68 % on digits60k)
    keras.utils.set_random_seed(RECIPE_SEED)
    build = reference.build if spec.model == "cnn" else reference.build_mlp
    model = build(splits.input_shape, classes=splits.classes)
    ticks = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: clock.tick(logs.get("val_accuracy")))
    reference.fit(model, splits, epochs, [ticks], spec.config.get("batch_size", reference.BATCH_SIZE))
    y_pred = model.predict(splits.x_test, batch_size=1024, verbose=0)
    return float((y_pred.argmax(axis=1) == splits.y_test).mean())


def run_train(spec, dataset, quick, epochs, clock) -> float:
    datasets = str(data_dir())  # this checkout's, whichever `workshop` trains
    logdir = tempfile.mkdtemp(prefix="workshop-bench-")  # the run's logs: thrown away with the process
    keep = spec.max_examples(dataset, quick)
    if spec.code:
        use_checkout(spec.code)
    from workshop.config import RunOptions, TrainConfig
    from workshop.training.train import train
    config = TrainConfig(model=spec.model, dataset=dataset, epochs=epochs,
                         max_examples=keep, **spec.config)
    options = RunOptions(**{"verbose": 1, "logdir": logdir, "data_dir": datasets, **spec.options})
    if spec.mode == "eager":
        import tensorflow as tf
        tf.config.run_functions_eagerly(True)
    lines = EpochLines(clock)
    sys.stdout = lines
    try:
        clock.start()
        summary = train(config, options)
    finally:
        sys.stdout = sys.__stdout__
        shutil.rmtree(logdir, ignore_errors=True)
    if lines.lines < epochs:
        raise RuntimeError(f"train() printed {lines.lines} 'Epoch N/M' lines for {epochs} epochs: "
                           "the benchmark times it by them (RunOptions.verbose=1)")
    return summary["test_accuracy"]


def use_checkout(root):
    """Make `import workshop` load the package under `root` (another checkout) from now on. This
    process's benchmark modules stay loaded as they are: they no longer need the package."""
    for name in [m for m in sys.modules if m == "workshop" or m.startswith("workshop.")]:
        del sys.modules[name]
    sys.path.insert(0, str(root))
