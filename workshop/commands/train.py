"""Train one algorithm at one level of the TensorFlow API, and report how it did."""

import json
import sys
import time
from dataclasses import fields
from pathlib import Path

from workshop.algorithms import ALGORITHMS, LEVELS
from workshop.config import OPTIMIZERS, PRECISIONS, SCHEDULES, RunOptions, TrainConfig
from workshop.errors import UsageError
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
    p.add_argument("--schedule", choices=SCHEDULES, help="the learning rate over the run: constant, or onecycle (up "
                   "to --lr over the first 20%% of the steps, then down to 0; the default for the cnn on MNIST-sized data)")
    p.add_argument("--seed", type=int, help="initial weights and data order (default 0)")
    p.add_argument("--hidden", type=int, nargs="+", help="hidden layer sizes (mlp; default 64)")
    p.add_argument("--dropout", type=float, help="cnn dropout rate (default 0.5); 0 turns it off")
    p.add_argument("--max-examples", type=int, metavar="N", help="train on the first N training examples only "
                   "(a quick try on a large dataset)")
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
    workers = p.add_argument_group("training on several workers (tf.distribute.MultiWorkerMirroredStrategy; "
                                   "--api raw or layers)")
    workers.add_argument("--workers", type=int, metavar="N",
                         help="train on N worker processes on this machine, talking over 127.0.0.1: each takes its "
                              "slice of every batch and their gradients are summed, so the weights are those of one "
                              "process; worker 0 writes the logs and saves. Default 1: this process alone. On Linux "
                              "the workers run in a private network namespace, unreachable from the network; "
                              "elsewhere the command refuses unless --allow-open-ports")
    workers.add_argument("--allow-open-ports", action="store_true",
                         help="where --workers cannot be kept off the network (macOS, Windows, a Linux without "
                              "unprivileged user namespaces), train anyway, with TensorFlow's unauthenticated worker "
                              "servers listening on every network interface: anyone on the network could run code "
                              "as you. A trusted network only")
    workers.add_argument("--cluster", metavar="HOST:PORT,...",
                         help="join a cluster of machines instead: every worker's address, comma-separated, worker 0 "
                              "(the chief) first; run the same command on each machine with its own --worker-index. "
                              "TensorFlow's workers accept connections from the network: trusted networks only")
    workers.add_argument("--worker-index", type=int, metavar="I",
                         help="this machine's place in --cluster: 0 (the chief, which writes the logs and saves) "
                              "to N-1")
    workers.add_argument("--start-timeout", type=float, metavar="SECONDS",
                         help="how long every worker may take to start and find the others before the run is "
                              "stopped (default 120 with --workers, 600 with --cluster)")
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


def cluster_from(args, options):
    """The workers of `--workers N` or `--cluster ... --worker-index I` (workers.py), or None for
    this process alone; UsageError for flags that do not fit together."""
    if args.cluster is not None:
        if args.workers is not None:
            raise UsageError("--workers starts workers on this machine, --cluster joins machines: give one of them")
        from workshop.training import workers
        return workers.parse_cluster(args.cluster, args.worker_index)
    if args.worker_index is not None:
        raise UsageError("--worker-index is this machine's place in --cluster; give --cluster too")
    if args.start_timeout is not None and not (options.workers or 1) > 1:
        raise UsageError("--start-timeout is for --workers N (N > 1) or --cluster")
    if args.allow_open_ports and not (options.workers or 1) > 1:
        raise UsageError("--allow-open-ports is for --workers N (N > 1): it lets workers train where they "
                         "cannot be kept off the network")
    if (options.workers or 1) > 1:
        from workshop.training import workers
        return workers.local_cluster(options.workers)
    return None


def format_summary(s: dict) -> str:
    def pct(v):
        return "-" if v is None else f"{100 * v:.2f} %"

    def num(v):
        return "-" if v is None else f"{v:.4f}"
    on = f" on {s['workers']} workers" if s.get("workers") else ""
    lines = [f"{s['model']} at the {s['api']} level on {s['dataset']}: {s['epochs']} epochs{on}"]
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
    cluster = cluster_from(args, options)
    if args.start_timeout is not None and not args.start_timeout > 0:
        raise UsageError(f"--start-timeout must be a positive number of seconds, got {args.start_timeout}")
    if cluster is not None and options.save:  # before any worker starts
        from workshop import saving
        saving.check_target(options.save, ".keras")
    server = None
    if args.tensorboard and (cluster is None or 0 in cluster.here):  # the chief's machine has the logs
        from workshop.tensorboard.server import start_beside
        server = start_beside(server_folder(options))
    try:
        if cluster is not None:  # this process supervises the workers and never imports TensorFlow
            from workshop.training.workers import train_on_workers
            summary = train_on_workers(config, options, cluster, args.start_timeout, args.allow_open_ports)
            if not summary:  # the chief is another machine: it has the logs and the model
                done = {"worker": cluster.here[0], "workers": len(cluster.addresses), "chief": cluster.addresses[0]}
                print(json.dumps(done) if args.json else f"worker {done['worker']} of {done['workers']} finished; "
                      f"the chief ({done['chief']}) has the logs and the model", flush=True)
                return 0
        else:
            from workshop.training.train import train
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
