"""The benchmark the project ships: `workshop bench`. Speed goals live here (README.md), not in tests.

Every training contender runs in a fresh worker process of its own (worker.py), Keras's recipe
and the project's paths alike: the same conditions for all. The project is timed as a user runs
it, through `train(TrainConfig, RunOptions)`: whole epochs, validation included, and its dashboards
unless RunOptions(dashboards=False). Every comparison is a ratio measured side by side,
round-robin: each round times one epoch of every contender in turn, and the table reports the
median and min-max over rounds. Untimed: the first epoch (tracing) and, each round, the epoch
before the timed one (what waiting its turn leaves behind; clock.py). Time to accuracy is decided
by the validation split; the test split is scored once, at the end, to report.
`--compare-with REV_OR_PATH` runs another version's default paths in the same rounds.

What it measures, how to read it, the targets (issue 24: at MNIST's size, the default CNN path
>= 1.1x Keras's recipe as written, TensorBoard <= 5 % of an epoch, time to the recipe's validation
accuracy <= 0.3x; on the 8x8 `digits`, reported without targets) and what it found: README.md here.
"""

SECTIONS = ("throughput", "peak", "time to accuracy", "scaling", "inference", "start-up")
