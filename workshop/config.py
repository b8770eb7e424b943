"""Two small frozen configs: what to learn (`TrainConfig`) and how to run it (`RunOptions`).

`TrainConfig` holds the numbers that decide which weights come out: the algorithm, its
level, the data and the hyperparameters. `RunOptions` holds everything else: where logs
and models go, what is printed, and the speed knobs, which change how fast the same
math runs (bfloat16 aside, which is why it is opt-in). Defaults live in one place each:
an algorithm's own (epochs, learning rate, ...) in workshop/algorithms/__init__.py,
the rest here. `resolved()` / `checked()` fill them in and validate, once.
"""

import os
from dataclasses import asdict, dataclass, replace

from workshop.algorithms import ALGORITHMS, LEVELS
from workshop.data.catalog import DATASETS
from workshop.errors import UsageError

OPTIMIZERS = ("sgd", "adam")
SCHEDULES = ("constant", "onecycle")  # training/schedules.py
PRECISIONS = ("float32", "mixed_bfloat16")
WORKER_LEVELS = ("raw", "layers")  # the levels that train on several workers (training/distributed.py)
MAX_SEED = 2**31 - 1  # every seed consumer takes it: NumPy's generators, Keras's seeded Dropout, tf's int64 seeds
MAX_THREADS = 1024  # TensorFlow takes an int32; far more threads than cores only costs
# The least memory one weight takes to train, in bytes: itself, its gradient and an optimizer's two moments,
# float32 each (the first draw, in float64, briefly takes as much again).
BYTES_PER_WEIGHT = 16


@dataclass(frozen=True)
class TrainConfig:
    """What to learn. `None` fields take the algorithm's default (see `resolved`).

    batch_size: 1 is stochastic gradient descent, the whole training set is batch
    gradient descent, anything between is mini-batch SGD (the default).
    """

    model: str = "mlp"
    api: str | None = None  # None: the highest level the algorithm is built at (keras for most)
    dataset: str | None = None
    epochs: int | None = None
    batch_size: int | None = None
    learning_rate: float | None = None
    optimizer: str | None = None
    schedule: str | None = None  # "constant" or "onecycle" (training/schedules.py)
    seed: int = 0
    hidden: tuple[int, ...] = (64,)  # mlp: hidden layer sizes
    dropout: float = 0.5  # cnn only; 0 turns dropout off (the level-equivalence tests do)
    max_examples: int | None = None  # train on the first N training examples (quick demos)

    @property
    def task(self) -> str:
        """"classify", "binary", "regress" or "perceptron" (workshop/algorithms/__init__.py)."""
        return ALGORITHMS[self.model].task

    def resolved(self) -> "TrainConfig":
        """Fill the algorithm's defaults in and check every value; raises UsageError."""
        if self.model not in ALGORITHMS:
            raise UsageError(f"unknown model {self.model!r}; choose one of: {', '.join(ALGORITHMS)}")
        algo = ALGORITHMS[self.model]
        api = self.api or algo.levels[-1]
        if api not in algo.levels:
            missing = ", ".join(level for level in LEVELS if level not in algo.levels)
            raise UsageError(f"{self.model} is not built at the {api!r} level ({missing} would add nothing "
                             f"to learn); choose --api from: {', '.join(algo.levels)}")
        dataset = self.dataset or algo.dataset
        defaults = algo.defaults(dataset)  # they depend on the data's size (algorithms/__init__.py)
        cfg = replace(
            self,
            api=api,
            dataset=dataset,
            epochs=self.epochs if self.epochs is not None else defaults["epochs"],
            batch_size=self.batch_size if self.batch_size is not None else defaults["batch_size"],
            learning_rate=self.learning_rate if self.learning_rate is not None else defaults["learning_rate"],
            optimizer=self.optimizer or defaults["optimizer"],
            schedule=self.schedule or defaults["schedule"],
        )
        if cfg.dataset not in algo.datasets:
            raise UsageError(f"{self.model} does not train on {cfg.dataset!r}; choose --dataset from: "
                             f"{', '.join(algo.datasets)}")
        for name in ("epochs", "batch_size", "learning_rate"):
            if not getattr(cfg, name) > 0:
                raise UsageError(f"--{name.replace('_', '-')} must be positive, got {getattr(cfg, name)}")
        if algo.optimizer != "rule" and cfg.optimizer not in OPTIMIZERS:
            raise UsageError(f"unknown optimizer {cfg.optimizer!r}; choose one of: {', '.join(OPTIMIZERS)}")
        if cfg.schedule not in SCHEDULES:
            raise UsageError(f"unknown schedule {cfg.schedule!r}; choose one of: {', '.join(SCHEDULES)}")
        if cfg.schedule != "constant" and cfg.api == "numpy":
            raise UsageError(f"the numpy level trains with a constant learning rate; use --schedule constant, "
                             f"or --api raw, layers or keras for --schedule {cfg.schedule}")
        if not 0 <= cfg.dropout < 1:
            raise UsageError(f"--dropout must be in [0, 1), got {cfg.dropout}")
        if any(h <= 0 for h in cfg.hidden):
            raise UsageError(f"--hidden sizes must be positive, got {cfg.hidden}")
        if cfg.max_examples is not None and cfg.max_examples <= 0:
            raise UsageError(f"--max-examples must be positive, got {cfg.max_examples}")
        if not 0 <= cfg.seed <= MAX_SEED:
            raise UsageError(f"--seed must be a whole number from 0 to {MAX_SEED}, got {cfg.seed}")
        check_model_size(cfg)
        info = DATASETS.get(cfg.dataset)
        if info is not None and info.train:  # at the door: every epoch's order is drawn before training
            from workshop.data.pipeline import check_epoch_orders
            check_epoch_orders(min(info.train, cfg.max_examples or info.train), cfg.epochs)
        return cfg

    @classmethod
    def tiny(cls, **overrides) -> "TrainConfig":
        """Seconds, not minutes: 2 epochs of batches of 32 on 256 digits, 16 hidden units. For tests."""
        return cls(**{"epochs": 2, "batch_size": 32, "hidden": (16,), "max_examples": 256, **overrides})


@dataclass(frozen=True)
class RunOptions:
    """How to run a training: paths, display and speed. None of it changes what is learned
    (precision aside: bfloat16 keeps about three significant digits per multiply)."""

    experiment: str = "train"  # logs/<experiment>/<run>/
    run_name: str | None = None  # the run folder's name before its time stamp; None: <model>-<api>-<dataset>
    logdir: str | None = None  # default: logs/ (or $WORKSHOP_LOGDIR)
    data_dir: str | None = None  # default: datasets/ (or $WORKSHOP_DATA_DIR)
    save: str | None = None  # save the trained model here (.keras; .npz for the numpy level)
    verbose: int = 1  # 0 silent, 1 one progress line per epoch (training/progress.py)
    batch_summaries: bool = False  # also write per-batch scalars (batch_loss)
    resume: bool = False  # continue the last killed run of the same settings (training/checkpoints.py)
    dashboards: bool = True  # write TensorBoard's dashboards; False: the loop alone (`workshop bench` prices them)
    # Speed knobs (workshop/training/speed.py has the machinery and what `workshop bench` measured):
    steps_per_execution: int = 0  # batches per compiled call; 0 = auto (a whole epoch, at most 64)
    threads: int = 0  # intra-op threads per TensorFlow op; 0 = auto (1 for small steps, all cores for large)
    precision: str = "float32"  # "mixed_bfloat16": bfloat16 math, float32 weights (layers and keras levels)
    jit_compile: bool = False  # XLA for the compiled step; measured 0.2-0.6x on the CNN on CPU, so never default
    # Distribution (workshop/training/workers.py): the number of worker processes sharing each batch;
    # None: this process alone. Set by `train --workers N` / `--cluster` in the workers it starts.
    workers: int | None = None

    def checked(self, config: TrainConfig) -> "RunOptions":
        """Check the options against the resolved `config`; raises UsageError."""
        check_inside_logdir("--experiment", self.experiment)
        if self.run_name is not None:
            check_inside_logdir("run_name", self.run_name, folders=False)
        if self.precision not in PRECISIONS:
            raise UsageError(f"unknown precision {self.precision!r}; choose one of: {', '.join(PRECISIONS)}")
        if self.precision != "float32" and config.api not in ("layers", "keras"):
            raise UsageError(f"--precision {self.precision} is for the layers and keras levels (Keras layers cast "
                             f"for you); the {config.api} level computes in float32, so use --api keras or layers")
        if not 0 <= self.threads <= MAX_THREADS:
            raise UsageError(f"--threads must be 0 (auto) or a count up to {MAX_THREADS} (this machine has "
                             f"{os.cpu_count() or 1} cores), got {self.threads}")
        if self.steps_per_execution < 0:
            raise UsageError(f"steps_per_execution must be 0 (auto) or positive, got {self.steps_per_execution}")
        if self.workers is not None and self.workers < 1:
            raise UsageError(f"--workers must be 1 or more (1: this process alone), got {self.workers}")
        if self.workers and self.workers > 1:
            check_worker_level(config)
            if self.jit_compile:
                raise UsageError("jit_compile (XLA) does not compile the collectives of training on workers; "
                                 "leave one of them out")
        return self


def check_inside_logdir(flag: str, name: str, folders: bool = True):
    """UsageError unless `name` is a relative path of plain names (folders=False: one name), so that
    logdir / name stays inside the logdir: `--experiment ../../x` wrote its runs two folders above it."""
    parts = name.replace("\\", "/").split("/")
    if (not name or name.startswith(("/", "~")) or any(p in ("", ".", "..") for p in parts) or ":" in name
            or (not folders and len(parts) > 1)):
        what = "a folder name or names (a/b)" if folders else "a plain name"
        raise UsageError(f"{flag} {name!r} must be {what} inside the logs folder, with no '..', '.' or leading '/': "
                         f"the runs are written to <logdir>/{'<experiment>' if folders else '<experiment>/<run>'}")


def memory_bytes() -> int | None:
    """The memory free for a new process here (Linux: MemAvailable), else the machine's whole memory;
    None where the system does not say (Windows)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def check_model_size(config: TrainConfig):
    """UsageError, before anything is allocated, for a model whose weights alone cannot be trained in this
    machine's memory (BYTES_PER_WEIGHT each; the activations come on top), e.g. --hidden 2000000000."""
    from workshop.algorithms.shapes import kernel_shapes
    from workshop.bounded import size
    info = DATASETS.get(config.dataset)
    if info is None or not info.shape:  # the toy sets: models of a few weights
        return
    weights = sum(_count(shape) + shape[-1] for shape in kernel_shapes(config.model, info.shape, info.classes,
                                                                        config.hidden))
    need, have = BYTES_PER_WEIGHT * weights, memory_bytes()
    if have is not None and need > have:
        raise UsageError(f"this {config.model} has {weights:,} weights on {config.dataset} (--hidden "
                         f"{' '.join(map(str, config.hidden))}): training it needs at least {size(need)} "
                         f"({BYTES_PER_WEIGHT} bytes a weight), more than the {size(have)} of memory free here; "
                         "choose smaller --hidden sizes")


def _count(shape) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


def check_worker_level(config: TrainConfig):
    """UsageError for an algorithm or level that cannot train on several workers."""
    levels = " and ".join(WORKER_LEVELS)
    if config.task == "perceptron":
        raise UsageError("the perceptron learns by its own rule, one example at a time, with no gradient to sum "
                         f"across workers; --workers trains the mlp, cnn, logistic and linear at the {levels} levels")
    if config.api == "keras":
        raise UsageError("--api keras cannot train on workers: under Keras 3, fit inside MultiWorkerMirroredStrategy "
                         "fails upstream (keras-team/keras#20585); use --api raw or --api layers, the same training "
                         "in your own loop (fit does spread over one machine's devices with MirroredStrategy: "
                         "workshop lesson next)")
    if config.api not in WORKER_LEVELS:
        raise UsageError(f"--api {config.api} cannot train on workers: the numpy level runs no TensorFlow to spread; "
                         "use --api raw or --api layers")


def settings(config: TrainConfig, options: RunOptions) -> dict:
    """Both configs as one flat dict: the run's record (TensorBoard's Text dashboard, `--json`)."""
    return {**asdict(config), **{k: v for k, v in asdict(options).items() if k not in ("verbose", "resume")}}
