"""The one training configuration, shared by the CLI, the lessons, the tests and the benchmark."""

from dataclasses import dataclass, replace

from workshop.algorithms import ALGORITHMS, LEVELS
from workshop.errors import UsageError

OPTIMIZERS = ("sgd", "adam")
PRECISIONS = ("float32", "mixed_bfloat16")


@dataclass(frozen=True)
class TrainConfig:
    """What to train and how. `None` fields take the algorithm's default (see `resolved`).

    batch_size: 1 is stochastic gradient descent, the whole training set is batch
    gradient descent, anything between is mini-batch SGD (the default).
    """

    model: str = "mlp"
    api: str = "keras"
    dataset: str | None = None
    epochs: int | None = None
    batch_size: int | None = None
    learning_rate: float | None = None
    optimizer: str | None = None
    seed: int = 0
    hidden: tuple[int, ...] = (64,)
    dropout: float = 0.5  # cnn only; 0 turns dropout off (the level-equivalence tests do)
    experiment: str = "train"  # logs/<experiment>/<run>/
    logdir: str | None = None  # default: logs/ (or $WORKSHOP_LOGDIR)
    data_dir: str | None = None
    save: str | None = None
    batch_summaries: bool = False  # also write per-batch scalars (batch_loss, ...)
    verbose: int = 1  # 0 silent, 1 progress bar + summary
    max_examples: int | None = None  # train on the first N training examples (quick demos)
    # batches per compiled call at every TensorFlow level (fit's steps_per_execution, and the same in
    # the raw and layers loops). 0 = auto (a whole epoch, at most 64 batches): the same math with less
    # Python between steps; `workshop bench` measured 1.5-3.5x on the CNN and the MLP on digits.
    steps_per_execution: int = 0
    # intra-op threads per TensorFlow op; 0 = auto: 1 for small steps, all cores for large ones
    # (training/threads.py has the rule and what the benchmark measured)
    threads: int = 0
    # "mixed_bfloat16": compute in bfloat16, keep float32 weights (Keras mixed precision), on the
    # layers and keras levels. Opt-in: it changes the math (~3 significant digits per multiply). It pays
    # on MNIST-sized images on a CPU with AVX512_BF16 and not on 8x8 digits (workshop bench measures both).
    precision: str = "float32"
    jit_compile: bool = False  # XLA for the compiled step; the CNN measured 0.2-0.6x on CPU, so never the default

    def resolved(self) -> "TrainConfig":
        """Fill the algorithm's defaults in and check every value; raises UsageError."""
        if self.model not in ALGORITHMS:
            raise UsageError(f"unknown model {self.model!r}; choose one of: {', '.join(ALGORITHMS)}")
        algo = ALGORITHMS[self.model]
        if self.api not in algo.levels:
            missing = ", ".join(level for level in LEVELS if level not in algo.levels)
            raise UsageError(f"{self.model} is not built at the {self.api!r} level ({missing} would add nothing "
                             f"to learn); choose --api from: {', '.join(algo.levels)}")
        cfg = replace(
            self,
            dataset=self.dataset or algo.dataset,
            epochs=self.epochs if self.epochs is not None else algo.epochs,
            batch_size=self.batch_size if self.batch_size is not None else algo.batch_size,
            learning_rate=self.learning_rate if self.learning_rate is not None else algo.learning_rate,
            optimizer=self.optimizer or algo.optimizer,
        )
        if cfg.dataset not in algo.datasets:
            raise UsageError(f"{self.model} does not train on {cfg.dataset!r}; choose --dataset from: "
                             f"{', '.join(algo.datasets)}")
        for name in ("epochs", "batch_size", "learning_rate"):
            if not getattr(cfg, name) > 0:
                raise UsageError(f"--{name.replace('_', '-')} must be positive, got {getattr(cfg, name)}")
        if algo.optimizer != "rule" and cfg.optimizer not in OPTIMIZERS:
            raise UsageError(f"unknown optimizer {cfg.optimizer!r}; choose one of: {', '.join(OPTIMIZERS)}")
        if cfg.precision not in PRECISIONS:
            raise UsageError(f"unknown precision {cfg.precision!r}; choose one of: {', '.join(PRECISIONS)}")
        if cfg.precision != "float32" and cfg.api not in ("layers", "keras"):
            raise UsageError(f"--precision {cfg.precision} is for the layers and keras levels (Keras layers cast "
                             f"for you); the {cfg.api} level computes in float32, so use --api keras or layers")
        if cfg.threads < 0:
            raise UsageError(f"--threads must be 0 (auto) or a positive count, got {cfg.threads}")
        if not 0 <= cfg.dropout < 1:
            raise UsageError(f"--dropout must be in [0, 1), got {cfg.dropout}")
        if any(h <= 0 for h in cfg.hidden):
            raise UsageError(f"--hidden sizes must be positive, got {cfg.hidden}")
        return cfg

    @classmethod
    def tiny(cls, **overrides) -> "TrainConfig":
        """Seconds, not minutes: 2 epochs on a slice of digits, quiet. For tests."""
        base = dict(dataset=None, epochs=2, batch_size=32, hidden=(16,), verbose=0, max_examples=256)
        base.update(overrides)
        return cls(**base)
