"""Check this machine: versions, devices, datasets, TensorBoard, disk. Exit 1 if a check FAILs."""

import json


def add_arguments(p):
    p.add_argument("--logdir", help="the logs folder to check (default logs/)")
    p.add_argument("--data-dir", help="dataset cache (default datasets/)")
    p.add_argument("--no-tensorboard", action="store_true", help="skip starting TensorBoard (saves a few seconds)")
    p.add_argument("--json", action="store_true", help="print the checks as a JSON list")


def run(args) -> int:
    from workshop.checks import FAIL, format_checks, run_checks
    checks = run_checks(args.logdir, args.data_dir, tensorboard=not args.no_tensorboard)
    if args.json:
        print(json.dumps([{"status": s, "check": n, "detail": d} for s, n, d in checks]))
    else:
        print(format_checks(checks))
    return 1 if any(state == FAIL for state, _, _ in checks) else 0
