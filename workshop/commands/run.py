"""Run a module's demos: workshop run demo, workshop run all --quick.

Each module writes its figures as PNGs under logs/<module>/figures-<timestamp>/ and
into TensorBoard's Images dashboard; its training runs land beside them.
"""

import time

from workshop.agenda import MODULES
from workshop.lessons import check_module


def add_arguments(p):
    p.add_argument("module", help=f"one of: {', '.join(MODULES)}, or all (the whole agenda in order)")
    p.add_argument("--quick", action="store_true", help="fewer epochs and examples: seconds per module")
    p.add_argument("--logdir", help="root of the TensorBoard logs (default logs/)")
    p.add_argument("--models-dir", help="the model registry folder (default models/)")
    p.add_argument("--images", nargs="+", default=(), metavar="PNG",
                   help="your own digit images for the demo module to recognise")


def run(args) -> int:
    check_module(args.module, allow_all=True)  # before TensorFlow is imported
    names = MODULES if args.module == "all" else (args.module,)
    from workshop.lessons import demos
    from workshop.lessons.context import Context, shown
    timings = []
    for name in names:
        start = time.perf_counter()
        ctx = Context(name, quick=args.quick, logdir=args.logdir, models=args.models_dir, images=tuple(args.images))
        print(f"== {name}{' (quick)' if args.quick else ''}: figures and runs under {shown(ctx.run_dir.parent)}")
        try:
            demos(name).run(ctx)
        finally:
            ctx.close()
        timings.append((name, time.perf_counter() - start, len(ctx.figures)))
        print(f"== {name}: done in {timings[-1][1]:.1f} s, {len(ctx.figures)} figures in {shown(ctx.run_dir)}\n")
    if len(names) > 1:
        for name, seconds, figures in timings:
            print(f"  {name:13} {seconds:6.1f} s  {figures:2} figures")
    print(f"Look at them: workshop tensorboard --logdir {shown(ctx.run_dir.parent.parent)}")
    return 0
