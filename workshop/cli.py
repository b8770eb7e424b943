"""`workshop` / `python -m workshop`: one thin entry point, `main(argv=None) -> int`.

Every sub-command lives in `workshop/commands/<name>.py` with `add_arguments(parser)`
and `run(args) -> int`. Building the parser imports those modules, so none of them
may import TensorFlow at module level: `workshop --help`, `agenda` and `datasets list`
answer in a fraction of a second. Errors the user can fix print as one line
(`workshop: error: ...`), exit 2 for usage, 1 for failures, never a traceback.
"""

import argparse
import importlib
import os
import sys

from workshop import __version__
from workshop.errors import WorkshopError

# name -> one-line help; the module is workshop.commands.<name> (dashes become underscores)
COMMANDS = {
    "agenda": "the workshop's schedule and which module each item runs",
    "lesson": "print a module's lesson text",
    "run": "run a module's demos (workshop run demo, workshop run all --quick)",
    "datasets": "list, fetch or locate the datasets",
    "train": "train one algorithm at one level of the TensorFlow API",
    "evaluate": "evaluate a saved model on a dataset's test split",
    "predict": "predict the digits in image files with a saved model",
    "runs": "a table of the training runs found in the logs",
    "tensorboard": "start TensorBoard on the logs (127.0.0.1 only)",
    "lab": "open the lessons as notebooks in JupyterLab (127.0.0.1 only)",
    "doctor": "check this machine: versions, devices, datasets, TensorBoard",
    "bench": "the benchmark: throughput, peak, time to accuracy, start-up",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own usage errors: one line, exit 2
        self.exit(2, f"{self.prog}: error: {message}\n(see `{self.prog} --help`)\n")


def _module(name: str):
    return importlib.import_module(f"workshop.commands.{name.replace('-', '_')}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="workshop", description="A hands-on Keras/TensorFlow workshop: "
                     "the same algorithms at every level of the TensorFlow API, watched in TensorBoard.")
    parser.add_argument("--version", action="version", version=f"workshop {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, help_text in COMMANDS.items():
        module = _module(name)  # a command that does not import is a bug: fail here, loudly
        p = sub.add_parser(name, help=help_text, description=(module.__doc__ or help_text).strip().splitlines()[0])
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except WorkshopError as e:
        print(f"workshop: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("workshop: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `workshop agenda | head`: the reader left, nothing is wrong
        sys.stdout = open(os.devnull, "w")
        return 0


if __name__ == "__main__":
    sys.exit(main())
