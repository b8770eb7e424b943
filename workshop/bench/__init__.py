"""The benchmark the project ships: `workshop bench`. Speed goals live here, not in tests.

Every training contender runs in a fresh worker process of its own (worker.py), the
reference recipe and the project's paths alike: the same conditions for all. Every
comparison is a ratio measured side by side, round-robin: each round times one epoch of
every contender in turn, and the table reports the median and min-max over rounds. Like is
compared with like: the default path's whole epochs (training, validation, dashboards) with the
recipe's whole epochs as Keras's example runs them (training, then a validation pass), each
level's training batches with the recipe's training batches. Untimed:
the first epoch (tracing) and, each round, the epoch before the timed one (what waiting its
turn leaves behind, contenders.Gate). Time to accuracy is decided by the
validation split; the test split is scored once, at the end, to report.

Targets (from the project's issues; reported, never asserted by tests), on MNIST's size
(`digits60k`, or mnist / fashion_mnist when their files are there):
| what | target |
|---|---|
| default CNN path (`workshop train cnn`: validation, dashboards) vs the reference Keras MNIST-convnet recipe as written (its `validation_split=0.1` pass included), both whole epochs | >= 1.5x examples/s |
| the CNN's compiled step (`fit` alone) | >= 40 % of the machine's float32 matmul peak |
| default CNN path: time to the reference's final validation accuracy | <= 0.3x the reference's |
| default CNN path: test accuracy after its epochs (<= 15) | >= the reference's after its 15 |
| default MLP path vs reference-style plain `fit`, the same way | >= 2x |
| `layers` / `raw` tf.function loops vs `fit` at the same settings | >= 1.0x |
| on `digits`: CNN / MLP default paths vs the reference | >= 1.5x / >= 2x |
| `workshop --help` / `workshop agenda` | < 0.5 s |
| `workshop train` to its first step | < 8 s |
"""

SECTIONS = ("throughput", "peak", "time to accuracy", "scaling", "inference", "start-up")
