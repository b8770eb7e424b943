"""A benchmark contender, described: what the driver (driver.py) asks a worker (worker.py) to run,
and the words they exchange. No TensorFlow here: the driving process only describes, its workers
compute."""

import math
from dataclasses import dataclass, field

PREFIX = "bench-worker"  # a worker's answers are its stdout lines that start with this word
QUICK_EXAMPLES = 6000  # --quick trains on at most this many training examples


@dataclass(frozen=True)
class Spec:
    """name: the table's row. kind: "train" (the project's `train(config, options)`, whole epochs
    as `workshop train` runs them), "recipe" (reference.py: Keras's MNIST convnet example as it is
    written, a validation pass ending every epoch) or "peak" (the matmul peak). model: "cnn" or "mlp".
    config: TrainConfig fields over the dataset's defaults (api, batch_size, ...; the recipe reads
    batch_size). options: RunOptions fields (dashboards, precision, ...). mode: "function", or
    "eager" (every tf.function run eagerly). cores: CPUs the worker may use (None: all). examples:
    train on the first N training examples (None: all; --quick: at most QUICK_EXAMPLES). code: the
    root of another checkout whose `workshop` package trains this contender (None: this one)."""

    name: str
    kind: str
    model: str = "cnn"
    config: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    mode: str = "function"
    cores: int | None = None
    examples: int | None = None
    code: str | None = None

    def max_examples(self, dataset: str, quick: bool) -> int | None:
        """The training examples to keep, or None for all of `dataset`'s."""
        from workshop.data.catalog import DATASETS
        keep = self.examples or (QUICK_EXAMPLES if quick else None)
        return keep if keep and keep < DATASETS[dataset].train else None

    def examples_per_epoch(self, dataset: str, quick: bool) -> int:
        from workshop.data.catalog import DATASETS
        return self.max_examples(dataset, quick) or DATASETS[dataset].train


def first_reaching(curve: dict, target: float) -> tuple[float, int] | None:
    """(seconds, epochs) of training until the validation accuracy of `curve` (a worker's
    {"seconds": [per epoch], "val_accuracy": [per epoch], ...}) first reaches `target`, or None."""
    for epoch, accuracy in enumerate(curve["val_accuracy"]):
        if accuracy >= target:
            return math.fsum(curve["seconds"][:epoch + 1]), epoch + 1
    return None
