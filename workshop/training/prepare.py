"""The data each algorithm trains on, as a `Splits` (workshop/data/splits.py) of its task.

    classify (mlp, cnn):  images as they are, int labels 0..9.
    binary (logistic):    only the 8s and the 1s, y = 1.0 for an 8 (float32 (N, 1)).
    regress (linear):     the `line` points, x and y float32 (N, 1).
    perceptron:           a truth table (or, and, xor), or the digits' 0s and 1s flattened
                          to (N, 64), y = 1.0 for a 1 (float32 (N,)).
`classes` is then the model's number of outputs: 10, or 1 for the others.
"""

from dataclasses import replace

import numpy as np

from workshop import data as datasets

BINARY_POSITIVE, BINARY_NEGATIVE = 8, 1


def _two_classes(splits, negative, positive, flatten, column):
    """Only the examples of the two classes; y = 1.0 for `positive`."""
    parts = {}
    for split in ("train", "val", "test"):
        x, y = getattr(splits, f"x_{split}"), getattr(splits, f"y_{split}")
        keep = (y == negative) | (y == positive)
        y01 = (y[keep] == positive).astype(np.float32)
        parts[f"x_{split}"] = x[keep].reshape(int(keep.sum()), -1) if flatten else x[keep]
        parts[f"y_{split}"] = y01[:, None] if column else y01
    names = (splits.class_names[negative], splits.class_names[positive])
    return replace(splits, **parts, classes=1, class_names=names)


def prepare(config, data_dir=None) -> datasets.Splits:
    """The training, validation and test data for the resolved TrainConfig `config`."""
    if config.task == "perceptron" and config.dataset in datasets.TRUTH_TABLES:
        return datasets.truth_table(config.dataset)
    splits = datasets.load(config.dataset, data_dir, seed=config.seed)
    if config.task == "binary":
        splits = _two_classes(splits, BINARY_NEGATIVE, BINARY_POSITIVE, flatten=False, column=True)
    elif config.task == "perceptron":
        splits = _two_classes(splits, 0, 1, flatten=True, column=False)
    elif config.task == "regress":
        splits = replace(splits, classes=1)
    if config.max_examples:
        splits = replace(splits, x_train=splits.x_train[:config.max_examples],
                         y_train=splits.y_train[:config.max_examples])
    return splits


def prepare_for(meta: dict, dataset=None, data_dir=None) -> datasets.Splits:
    """The data of a saved model (its metadata `meta`), prepared as training prepared it, on
    `dataset` (default: the one it was trained on); UsageError if that dataset's inputs do not fit
    the model, said before the data is loaded where the catalog knows the shape."""
    from workshop.config import TrainConfig
    from workshop.errors import UsageError
    dataset = dataset or meta["dataset"]
    if dataset not in datasets.TRUTH_TABLES:
        datasets.check_name(dataset)
    shape, known = tuple(meta["input_shape"]), datasets.DATASETS.get(dataset)

    def refuse(other):
        raise UsageError(f"the model takes inputs of shape {shape}, but {dataset} has {tuple(other)}; "
                         f"use the dataset it was trained on, {meta['dataset']}")
    if known is not None and known.shape and tuple(known.shape) != shape and meta["task"] != "perceptron":
        refuse(known.shape)
    config = TrainConfig(model=meta["model"], api=meta["api"], dataset=dataset, seed=meta.get("seed", 0))
    data = prepare(config, data_dir)
    if data.input_shape != shape:
        refuse(data.input_shape)
    return data
