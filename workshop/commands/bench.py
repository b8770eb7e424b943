"""The benchmark: every contender in its own process, side by side with Keras's recipe."""

import json

from workshop.paths import logs_dir

DATASETS = ("digits60k", "digits", "mnist", "fashion_mnist")
MAX_ROUNDS = 9  # a run prints at most about 20 epoch lines, and the clock reads every one (bench/clock.py)


def add_arguments(p):
    from workshop.bench import SECTIONS
    p.add_argument("--dataset", default="digits60k", choices=DATASETS,
                   help="digits60k (default): MNIST's size, offline; digits: the 8x8 set; mnist, fashion_mnist "
                        "once their files are in datasets/")
    p.add_argument("--quick", action="store_true",
                   help=f"{6000:,} training examples, 2 rounds, short schedules: a check that it all runs")
    p.add_argument("--rounds", type=int,
                   help=f"timed epochs per contender, 1 to {MAX_ROUNDS} (default 3; 2 with --quick)")
    p.add_argument("--only", nargs="+", metavar="SECTION", choices=SECTIONS,
                   help=f"run only these sections: {', '.join(SECTIONS)}")
    p.add_argument("--compare-with", metavar="REV_OR_PATH",
                   help="also time the default paths of another version of the code, in the same rounds: a git "
                        "revision of this repository (e.g. main, HEAD~3) or the root of another checkout")
    p.add_argument("--logdir", help="where logs/bench/ goes (default logs/)")
    p.add_argument("--json", action="store_true", help="print the rows as one JSON list on the last line")


def run(args) -> int:
    from workshop.bench import SECTIONS
    from workshop.errors import UsageError
    if args.rounds is not None and not 1 <= args.rounds <= MAX_ROUNDS:
        raise UsageError(f"--rounds must be 1 to {MAX_ROUNDS}, got {args.rounds}")
    from workshop.bench.other import checkout
    from workshop.data import load
    with checkout(args.compare_with) as other:  # checked (and a revision unpacked) before anything runs
        load(args.dataset)  # once, here: fetched (or generated) and checked before any worker starts
        from workshop.bench.report import text_table, write
        from workshop.bench.suite import run_benchmark
        rows = run_benchmark(args.dataset, args.quick, args.rounds, args.only or SECTIONS,
                             log=lambda m: print(f"bench: {m}", flush=True), other=other)
    csv_path, md_path = write(rows, logs_dir(args.logdir) / "bench")
    print(text_table(rows))
    print(f"written: {csv_path} and {md_path}")
    if args.json:
        print(json.dumps(rows))
    return 0
