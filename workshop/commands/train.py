"""Train one algorithm at one level of the TensorFlow API, and report how it did."""

import json
import sys
import time
from dataclasses import fields
from pathlib import Path

from workshop.algorithms import ALGORITHMS, LEVELS
from workshop.config import OPTIMIZERS, PRECISIONS, RunOptions, TrainConfig
from workshop.hints import command, shown


def add_arguments(p):
    # no defaults here: TrainConfig and RunOptions hold them (workshop/config.py), and check every value
    p.add_argument("model", choices=tuple(ALGORITHMS), help="which algorithm")
    p.add_argument("--api", choices=LEVELS, help="which level of the TensorFlow API (default: the highest "
                   "level the algorithm is built at, keras for most)")
    p.add_argument("--dataset", help="default: the algorithm's own (digits; line for linear; or for perceptron)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int, help="1 = stochastic GD, training-set size = batch GD")
    p.add_argument("--lr", "--learning-rate", dest="learning_rate", type=float)
    p.add_argument("--optimizer", choices=OPTIMIZERS)
    p.add_argument("--seed", type=int, help="initial weights and data order (default 0)")
    p.add_argument("--hidden", type=int, nargs="+", help="hidden layer sizes (mlp; default 64)")
    p.add_argument("--dropout", type=float, help="cnn dropout rate (default 0.5); 0 turns it off")
    p.add_argument("--logdir", help="root of the TensorBoard logs (default logs/)")
    p.add_argument("--experiment", help="logs/<experiment>/<run>/ (default train)")
    p.add_argument("--data-dir", help="dataset cache (default datasets/)")
    p.add_argument("--save", metavar="PATH", help="save the trained model (.keras; .npz for --api numpy)")
    p.add_argument("--resume", action="store_true", default=None,
                   help="continue the last interrupted run of these settings from its last finished epoch "
                        "(same weights as a run never stopped); a new run if there is none")
    p.add_argument("--batch-summaries", action="store_true", default=None, help="also log the loss of every batch")
    p.add_argument("--precision", choices=PRECISIONS,
                   help="mixed_bfloat16: faster on large images with AVX512_BF16 CPUs (layers/keras levels); "
                        "changes the math, so off by default")
    p.add_argument("--threads", type=int,
                   help="threads per TensorFlow op; default 0 = auto (1 for small models, all cores for large)")
    p.add_argument("--tensorboard", action="store_true", help="start TensorBoard beside the training")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object on the last line")


def _given(args, cls, **extra):
    """cls built from the flags the user gave (the rest keep cls's defaults)."""
    names = {f.name for f in fields(cls)}
    values = {k: v for k, v in vars(args).items() if k in names and v is not None}
    return cls(**{**values, **extra})


def configs_from(args) -> tuple[TrainConfig, RunOptions]:
    """The resolved and checked configs of `workshop train ARGS`; UsageError for a bad value."""
    hidden = {"hidden": tuple(args.hidden)} if args.hidden else {}
    config = _given(args, TrainConfig, **hidden).resolved()
    options = _given(args, RunOptions, verbose=0 if args.json else 1).checked(config)
    return config, options


def format_summary(s: dict) -> str:
    def pct(v):
        return "-" if v is None else f"{100 * v:.2f} %"

    def num(v):
        return "-" if v is None else f"{v:.4f}"
    lines = [f"{s['model']} at the {s['api']} level on {s['dataset']}: {s['epochs']} epochs"]
    if "converged" in s:  # the perceptron counts errors, it has no loss
        errors = s.get("errors_per_epoch") or []
        lines.append(f"  converged {'yes' if s['converged'] else 'NO'}: {errors[-1] if errors else '-'} mistakes while "
                     f"learning in the last epoch")
        lines.append(f"  accuracy  of the final weights: train {pct(s['train_accuracy'])}  test {pct(s['test_accuracy'])}")
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
        experiment = shown(Path(s["run_dir"]).parent)  # watched on its own: this experiment's runs only
        lines.append(f"  logs      {shown(s['run_dir'])}   (watch: {command(f'tensorboard --logdir {experiment}')})")
    if s.get("saved"):
        lines.append(f"  saved     {s['saved']}")
    return "\n".join(lines)


def say_how_to_resume(config, options):
    from workshop.training.checkpoints import interrupted_run
    from workshop.training.train import resume_settings
    run_dir = interrupted_run(server_folder(options), f"{config.model}-{config.api}-{config.dataset}",
                              resume_settings(config, options), strict=False)
    if run_dir is not None:
        again = sys.argv[1:] if sys.argv[1:2] == ["train"] else ["train", config.model, "--api", config.api]
        print(f"workshop: {shown(run_dir)} keeps its finished epochs; "
              f"{command(' '.join([*again, '--resume']))} continues it", file=sys.stderr, flush=True)


def server_folder(options):
    from workshop.paths import logs_dir
    return logs_dir(options.logdir) / options.experiment


def run(args) -> int:
    config, options = configs_from(args)  # usage errors before anything heavy starts
    server = None
    if args.tensorboard:
        from workshop.tensorboard.server import start_beside
        server = start_beside(server_folder(options))
    from workshop.training.train import train
    try:
        try:
            summary = train(config, options)
        except KeyboardInterrupt:  # Ctrl-C, a closed terminal: the epochs done are kept, say how to go on
            say_how_to_resume(config, options)
            raise
        if args.json:
            print(json.dumps({k: v for k, v in summary.items() if k != "config"}))
        else:
            print(format_summary(summary))
        if server is not None and sys.stdin.isatty():  # a person is watching: keep the charts up
            print(f"TensorBoard keeps running at {server.url} so you can look around; Ctrl-C stops it.", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
        elif server is not None:
            print(f"TensorBoard stopped with the training (no terminal to keep it for); "
                  f"{command(f'tensorboard --logdir {shown(server_folder(options))}')} shows the runs again", flush=True)
    finally:
        if server is not None:
            server.stop()
    return 0
