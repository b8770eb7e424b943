"""The benchmark the project ships: `workshop bench`. Speed goals live here, not in tests.

Every training contender runs in a fresh worker process of its own (worker.py), Keras's recipe
and the project's paths alike: the same conditions for all. The project is timed as a user runs
it, through `train(TrainConfig, RunOptions)`: whole epochs, validation included, and its dashboards
unless RunOptions(dashboards=False). Every comparison is a ratio measured side by side,
round-robin: each round times one epoch of every contender in turn, and the table reports the
median and min-max over rounds. Untimed: the first epoch (tracing) and, each round, the epoch
before the timed one (what waiting its turn leaves behind; clock.py). Time to accuracy is decided
by the validation split; the test split is scored once, at the end, to report.
`--compare-with REV_OR_PATH` runs another version's default paths in the same rounds.

Targets (issue 24; reported, never asserted by tests), on MNIST's size (`digits60k`, or mnist /
fashion_mnist when their files are there). On the 8x8 `digits`, where an epoch takes
milliseconds, the throughput rows are reported without targets.
| what | target |
|---|---|
| default CNN path (`workshop train cnn`: validation, dashboards, checkpoint) vs Keras's MNIST convnet recipe as written (its validation pass included), both whole epochs | >= 1.1x examples/s |
| TensorBoard's share of a default-path epoch: the same run with and without dashboards | <= 5 % |
| default CNN path: time to the recipe's final validation accuracy | <= 0.3x the recipe's |
| with --compare-with: the default CNN and MLP paths, this code over the other's | >= 0.90x |
| `workshop --help` / `workshop agenda` | < 0.5 s |
| `workshop train` to its first step | < 8 s |
"""

SECTIONS = ("throughput", "peak", "time to accuracy", "scaling", "inference", "start-up")
