"""`workshop` / `python -m workshop`: one thin entry point, `main(argv=None) -> int`.

Every sub-command lives in `workshop/commands/<name>.py` with `add_arguments(parser)`
and `run(args) -> int`; `workshop --help` lists them from COMMANDS, and a command imports
only its own module. None of them may import TensorFlow at module level: `workshop --help`,
`agenda` and `datasets list` answer in a fraction of a second. Errors the user can fix print as one line
(`workshop: error: ...`), exit 2 for usage, 1 for failures, never a traceback: a full
disk, a read-only folder or a denied permission are such errors wherever they strike.
SIGTERM and SIGHUP stop a command as Ctrl-C does (its `finally` blocks stop child
processes such as TensorBoard) and exit 128 + the signal's number.
"""

import argparse
import errno
import importlib
import os
import re
import signal
import sys
import threading

from workshop import __version__
from workshop.errors import Stopped, WorkshopError

# name -> one-line help; the module is workshop.commands.<name> (dashes become underscores)
COMMANDS = {
    "agenda": "the workshop's schedule and which module each item runs",
    "lesson": "print a module's lesson text",
    "run": "run a module's demos (workshop run demo, workshop run all --quick)",
    "datasets": "list, fetch or locate the datasets",
    "train": "train one algorithm at one level of the TensorFlow API",
    "evaluate": "evaluate a saved model on a dataset's test split",
    "predict": "predict the digits in image files with a saved model",
    "export": "export a saved model for a phone (LiteRT .tflite) or TensorFlow Serving, checked on the test split",
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


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command's name and help; `command`'s own arguments too (None: every
    command's, which imports every command module)."""
    parser = _Parser(prog="workshop", description="A hands-on Keras/TensorFlow workshop: "
                     "the same algorithms at every level of the TensorFlow API, watched in TensorBoard.")
    parser.add_argument("--version", action="version", version=f"workshop {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, help_text in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if command in (None, name):
            module = _module(name)  # a command that does not import is a bug: fail here, loudly
            p.description = (module.__doc__ or help_text).strip().splitlines()[0]
            module.add_arguments(p)
            p.set_defaults(_run=module.run)
    return parser


def _chosen(argv: list[str]) -> str | None:
    """The command named on the command line (its first word that is not an option), if any."""
    words = [word for word in argv if not word.startswith("-")]
    return words[0] if words and words[0] in COMMANDS else None


# what to do when reading or writing a file fails, by errno
FILE_FIXES = {
    errno.ENOSPC: "free some space (or write to another folder) and run again",
    errno.EDQUOT: "free some space (or write to another folder) and run again",
    errno.EROFS: "choose a folder on a writable disk",
    errno.EACCES: "choose a folder you may write to",
    errno.EPERM: "choose a folder you may write to",
}
# TensorFlow's file errors are not OSErrors (tf.summary raises ResourceExhaustedError on a full disk),
# but their messages carry the system's words for the cause
TF_REASONS = {os.strerror(code): code for code in FILE_FIXES}


def file_error(e: BaseException) -> str | None:
    """The one line for a file that could not be written or read, or None if `e` is not about one.
    TensorFlow's errors are recognised by their module's name: this module must not import TensorFlow."""
    if isinstance(e, OSError):
        code, reason, filename = e.errno, e.strerror or str(e), e.filename
    elif type(e).__module__.startswith("tensorflow"):
        text = str(getattr(e, "message", e))
        code = next((c for reason, c in TF_REASONS.items() if reason in text), None)
        if code is None:
            return None
        reason = os.strerror(code)
        found = re.search(r"([^\s;{}]+); " + re.escape(reason), text)
        filename = found.group(1) if found else None
    else:
        return None
    fix = FILE_FIXES.get(code)
    return (f"{filename}: " if filename else "") + reason[:1].lower() + reason[1:] + (f"; {fix}" if fix else "")


def _stop(signum, frame):
    for name in ("SIGTERM", "SIGHUP"):  # a second signal must not cut the clean-up short
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    Stopped.pending = signum  # so it is raised again if a library swallows it (guards.StopWhenAsked)
    raise Stopped(signum)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_chosen(argv) or "")  # "": no command's module: `workshop --help` stays light
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    previous = {}
    if threading.current_thread() is threading.main_thread():  # only the main thread may set handlers
        previous = {s: signal.signal(s, _stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return int(args._run(args) or 0)
    except WorkshopError as e:
        print(f"workshop: error: {e}", file=sys.stderr)
        return e.exit_code
    except Stopped as e:
        print(f"workshop: stopped by {signal.Signals(e.signum).name}", file=sys.stderr)
        return 128 + e.signum
    except KeyboardInterrupt:
        print("workshop: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `workshop agenda | head`: the reader left, nothing is wrong
        sys.stdout = open(os.devnull, "w")
        return 0
    except Exception as e:
        line = file_error(e)
        if line is None:
            raise  # a bug: its traceback is what fixes it
        print(f"workshop: error: {line}", file=sys.stderr)
        return 1
    finally:
        Stopped.pending = None
        for s, handler in previous.items():
            signal.signal(s, handler)


if __name__ == "__main__":
    sys.exit(main())
