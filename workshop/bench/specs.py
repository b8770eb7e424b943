"""A benchmark contender, described: what worker.py builds and the suite's rows are named by.
No TensorFlow here: the driving process only describes, its workers compute."""

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Spec:
    """name: the table's row. kind: "level" (a project loop), "default" (the same, with everything
    `workshop train` adds to an epoch), "reference" (reference.py's recipe: plain `fit` on arrays,
    its training batches alone), "recipe" (the same recipe as Keras's example writes it: a
    validation pass ends every epoch), "arrays" (the project's keras model and settings, `fit` on
    NumPy arrays); "default" and "recipe" are timed whole epochs, validation included. model: "cnn"
    or "mlp". config: TrainConfig fields over the dataset's defaults (api, batch_size, ...).
    options: RunOptions fields. mode: "function", "eager" or "jit". cores: CPUs the worker may use
    (None: all). threads: "project" (training/speed.py's rule, as `workshop train`) or "tensorflow"
    (as TensorFlow ships). examples: train on the first N training examples only (None: all)."""

    name: str
    kind: str
    model: str = "cnn"
    config: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    mode: str = "function"
    cores: int | None = None
    threads: str = "project"
    examples: int | None = None

    @property
    def whole_epoch(self) -> bool:
        return self.kind in ("default", "recipe")


def first_reaching(curve: dict, target: float) -> tuple[float, int] | None:
    """(seconds, epochs) of training until the validation accuracy of `curve` (a worker's
    {"seconds": [per epoch], "val_accuracy": [per epoch], ...}) first reaches `target`, or None."""
    for epoch, accuracy in enumerate(curve["val_accuracy"]):
        if accuracy >= target:
            return math.fsum(curve["seconds"][:epoch + 1]), epoch + 1
    return None
