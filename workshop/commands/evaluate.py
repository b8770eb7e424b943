"""Evaluate a saved model on a dataset's test split: `workshop evaluate PATH [--dataset NAME] [--json]`.

PATH is a model saved by `workshop train ... --save` (a `.keras`, loaded with
safe_mode=True, or the numpy level's `.npz`). The data is prepared the way training
prepared it for the model's task (prepare.py), so the test accuracy printed here is
the one training reported. `--dataset` scores it on another dataset of the same input
shape: `workshop evaluate models/digit-recognizer.keras --dataset mnist5k` reads the
demo's recognizer on 1,000 real MNIST digits, and a model trained on digits60k alone
scores 98.6 % on digits60k's test split but 86.4 % on those real ones.
"""

import json


def add_arguments(p):
    p.add_argument("path", help="a model saved by `workshop train ... --save PATH`, or its .tflite (`workshop export`)")
    p.add_argument("--dataset", help="default: the dataset the model was trained on (from its metadata)")
    p.add_argument("--data-dir", help="dataset cache (default datasets/)")
    p.add_argument("--json", action="store_true", help="also print the result as one JSON object on the last line")


def evaluate(path, dataset=None, data_dir=None) -> dict:
    """Load the model at `path` and score it on the test split of `dataset`.

    Returns {path, model, api, dataset, examples, test_loss, test_accuracy}
    (test_accuracy is None for regression). A `.tflite` (`workshop export`) runs in the LiteRT interpreter.
    """
    if str(path).endswith(".tflite"):
        from workshop.export import evaluate as evaluate_tflite
        return evaluate_tflite(path, dataset, data_dir)
    from workshop import saving
    from workshop.metrics import evaluate as score
    from workshop.training.levels import saved_view
    from workshop.training.prepare import prepare_for

    saving.read_meta(path)  # refuses foreign files before anything heavy is loaded
    model, meta = saving.load(path)  # refuses metadata that does not fit the weights before it is believed
    data = prepare_for(meta, dataset, data_dir)
    test = score(meta["task"], data.y_test, saved_view(model, meta).predict(data.x_test))
    return {"path": str(path), "model": meta["model"], "api": meta["api"], "dataset": dataset or meta["dataset"],
            "examples": len(data.y_test), "test_loss": test["loss"], "test_accuracy": test.get("accuracy")}


def run(args) -> int:
    result = evaluate(args.path, args.dataset, args.data_dir)
    print(f"{result['model']} ({result['api']} level) on the {result['dataset']} test split, "
          f"{result['examples']} examples")
    print(f"  loss      {result['test_loss']:.4f}")
    if result["test_accuracy"] is not None:
        print(f"  accuracy  {100 * result['test_accuracy']:.2f} %")
    if args.json:
        print(json.dumps(result))
    return 0
