"""Train one algorithm at one level of the TensorFlow API, and report how it did."""

import json
import sys
import time

from workshop.algorithms import ALGORITHMS, LEVELS
from workshop.config import OPTIMIZERS, PRECISIONS, TrainConfig


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise __import__("argparse").ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0:
            raise __import__("argparse").ArgumentTypeError(f"must be positive, got {text}")
        return value
    return parse


def add_arguments(p):
    p.add_argument("model", choices=tuple(ALGORITHMS), help="which algorithm")
    p.add_argument("--api", choices=LEVELS, help="which level of the TensorFlow API (default keras, or the "
                   "highest level the algorithm is built at)")
    p.add_argument("--dataset", help="default: the algorithm's own (digits; line for linear; or for perceptron)")
    p.add_argument("--epochs", type=_positive(int))
    p.add_argument("--batch-size", type=_positive(int), help="1 = stochastic GD, training-set size = batch GD")
    p.add_argument("--lr", "--learning-rate", dest="learning_rate", type=_positive(float))
    p.add_argument("--optimizer", choices=OPTIMIZERS)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--hidden", type=_positive(int), nargs="+", default=[64], help="hidden layer sizes (mlp)")
    p.add_argument("--dropout", type=float, default=0.5, help="cnn dropout rate; 0 turns it off")
    p.add_argument("--logdir", help="root of the TensorBoard logs (default logs/)")
    p.add_argument("--experiment", default="train", help="logs/<experiment>/<run>/ (default train)")
    p.add_argument("--data-dir", help="dataset cache (default datasets/)")
    p.add_argument("--save", metavar="PATH", help="save the trained model (.keras; .npz for --api numpy)")
    p.add_argument("--batch-summaries", action="store_true", help="also log the loss of every batch")
    p.add_argument("--precision", choices=PRECISIONS, default="float32",
                   help="mixed_bfloat16: faster on large images with AVX512_BF16 CPUs (layers/keras levels); "
                        "changes the math, so off by default")
    p.add_argument("--threads", type=int, default=0,
                   help="threads per TensorFlow op; default 0 = auto (1 for small models, all cores for large)")
    p.add_argument("--tensorboard", action="store_true", help="start TensorBoard beside the training")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object on the last line")


def config_from(args) -> TrainConfig:
    levels = ALGORITHMS[args.model].levels
    api = args.api or ("keras" if "keras" in levels else levels[-1])
    return TrainConfig(model=args.model, api=api, dataset=args.dataset, epochs=args.epochs,
                       batch_size=args.batch_size, learning_rate=args.learning_rate, optimizer=args.optimizer,
                       seed=args.seed, hidden=tuple(args.hidden), dropout=args.dropout, experiment=args.experiment,
                       logdir=args.logdir, data_dir=args.data_dir, save=args.save,
                       batch_summaries=args.batch_summaries, threads=args.threads, precision=args.precision,
                       verbose=0 if args.json else 1)


def format_summary(s: dict) -> str:
    def pct(v):
        return "-" if v is None else f"{100 * v:.2f} %"

    def num(v):
        return "-" if v is None else f"{v:.4f}"
    lines = [f"{s['model']} at the {s['api']} level on {s['dataset']}: {s['epochs']} epochs"]
    if "converged" in s:  # the perceptron counts errors, it has no loss
        errors = s.get("errors_per_epoch") or []
        lines.append(f"  converged {'yes' if s['converged'] else 'NO'}: errors in the last epoch "
                     f"{errors[-1] if errors else '-'}; test accuracy {pct(s['test_accuracy'])}")
    elif s.get("true_a") is not None:
        lines.append(f"  learned  a = {s['a']:.3f}  b = {s['b']:.3f}")
        lines.append(f"  true     a = {s['true_a']:.3f}  b = {s['true_b']:.3f}")
        lines.append(f"  loss     train {num(s['train_loss'])}  val {num(s['val_loss'])}  test {num(s['test_loss'])}")
    else:
        lines.append(f"  loss      train {num(s['train_loss'])}  val {num(s['val_loss'])}")
        lines.append(f"  accuracy  train {pct(s['train_accuracy'])}  val {pct(s['val_accuracy'])}  "
                     f"test {pct(s['test_accuracy'])}")
    if s.get("examples_per_second"):
        lines.append(f"  speed     {s['examples_per_second']:,.0f} examples/s, {s['wall_seconds']:.1f} s wall")
    if s.get("run_dir"):
        lines.append(f"  logs      {s['run_dir']}   (watch: workshop tensorboard)")
    if s.get("saved"):
        lines.append(f"  saved     {s['saved']}")
    return "\n".join(lines)


def run(args) -> int:
    cfg = config_from(args).resolved()  # usage errors before anything heavy starts
    server = None
    if args.tensorboard:
        from workshop.tensorboard.server import start_beside
        server = start_beside(cfg.logdir)
    from workshop.training.run import train
    try:
        summary = train(cfg)
        if args.json:
            print(json.dumps({k: v for k, v in summary.items() if k != "config"}))
        else:
            print(format_summary(summary))
        if server is not None and sys.stdin.isatty():  # a person is watching: keep the charts up
            print("TensorBoard keeps running so you can look around; Ctrl-C stops it.", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    finally:
        if server is not None:
            server.stop()
    return 0
