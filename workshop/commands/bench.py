"""The benchmark: training throughput per level vs the reference recipe, peak, time to accuracy, start-up."""

import json

from workshop.paths import logs_dir


def add_arguments(p):
    p.add_argument("--quick", action="store_true", help="2 rounds, shorter searches: under 2 minutes on 2 cores")
    p.add_argument("--dataset", default="digits", choices=("digits", "digits28", "mnist", "fashion_mnist"),
                   help="digits28: the digits scaled up to 28x28, MNIST's shapes offline")
    p.add_argument("--rounds", type=int, help="timed rounds per contender (default 5; 2 with --quick)")
    p.add_argument("--logdir", help="where logs/bench/ goes (default logs/)")
    p.add_argument("--json", action="store_true", help="print the rows as one JSON list on the last line")


def run(args) -> int:
    from workshop.bench.report import text_table, write
    from workshop.bench.suite import run_benchmark
    from workshop.errors import UsageError
    if args.rounds is not None and args.rounds < 1:
        raise UsageError(f"--rounds must be at least 1, got {args.rounds}")
    rows = run_benchmark(args.dataset, args.quick, args.rounds, log=lambda m: print(f"bench: {m}", flush=True))
    csv_path, md_path = write(rows, logs_dir(args.logdir) / "bench")
    print(text_table(rows))
    print(f"written: {csv_path} and {md_path}")
    if args.json:
        print(json.dumps(rows))
    return 0
