"""Run a lesson's source top to bottom, as its notebook would: workshop run demo, workshop run all --quick.

What runs is the notebook's code: the source with its `# %inline` cells filled in with the package's
code (workshop/lessons/literate.py). Each lesson writes its figures as PNGs under
logs/<lesson>/figures-<timestamp>/ and into TensorBoard's Images dashboard; its training runs land beside them.
"""

import contextlib
import linecache
import os
import sys
import time
import types

from workshop.agenda import ORDER
from workshop.lessons.literate import LESSONS, check_lesson, script, source


def add_arguments(p):
    p.add_argument("lesson", help=f"one of: {', '.join(LESSONS)}, or all (the agenda in order: its modules, "
                                  "then the afternoon's levels lessons)")
    p.add_argument("--quick", action="store_true", help="fewer epochs and examples: seconds per section")
    p.add_argument("--logdir", help="root of the TensorBoard logs (default logs/)")
    p.add_argument("--models-dir", help="the model registry folder (default models/)")
    p.add_argument("--images", nargs="+", default=(), metavar="PNG",
                   help="your own digit images for the demo module to recognise")


@contextlib.contextmanager
def environment(**values):
    """Set the WORKSHOP_* variables a lesson reads (workshop/lessons/lesson.py), then put them back."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update({k: v for k, v in values.items() if v is not None})
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def execute(name: str) -> dict:
    """Run lesson `name`'s code (its source, `# %inline` cells filled in) as the program's __main__, as
    runpy would; returns its namespace. The code is put in linecache under a name of its own, so
    tracebacks show its lines, and AutoGraph (which reads a function's source to convert it) finds them."""
    filename = f"<{source(name).name} with its %inline code>"
    text = script(name)
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)  # mtime None: kept
    # no __file__: AutoGraph refreshes linecache for a module whose __file__ names the function's file,
    # and a refresh drops an entry with no file behind it
    module = types.ModuleType("__main__")
    before = sys.modules.get("__main__")
    sys.modules["__main__"] = module  # classes the lesson defines belong to a module that exists
    try:
        exec(compile(text, filename, "exec"), module.__dict__)
    finally:
        sys.modules["__main__"] = before
    return module.__dict__


def run(args) -> int:
    check_lesson(args.lesson, allow_all=True)  # before TensorFlow is imported
    names = ORDER if args.lesson == "all" else (args.lesson,)
    from workshop.hints import command, shown
    timings = []
    with environment(WORKSHOP_QUICK="1" if args.quick else "0", WORKSHOP_LOGDIR=args.logdir,
                     WORKSHOP_MODELS_DIR=args.models_dir, WORKSHOP_IMAGES=os.pathsep.join(args.images) or None):
        for name in names:
            start = time.perf_counter()
            print(f"== {name}{' (quick)' if args.quick else ''}: workshop/lessons/{source(name).name}", flush=True)
            lesson = execute(name)["lesson"]
            lesson.close()
            timings.append((name, time.perf_counter() - start, len(lesson.figures), lesson.logdir))
            print(f"== {name}: done in {timings[-1][1]:.1f} s, {len(lesson.figures)} figures in "
                  f"{shown(lesson.run_dir)}\n", flush=True)
    # each module is watched on its own: a learner lands on its runs, not among all of them
    width = max(len(name) for name in names)
    for name, seconds, figures, logdir in timings:
        watch = command(f"tensorboard --logdir {shown(logdir)}")
        print(f"  {name:{width}} {seconds:6.1f} s  {figures:2} figures   watch: {watch}" if len(names) > 1
              else f"Look at them: {watch}")
    return 0
