"""Print a module's lesson text (Markdown): workshop lesson introduction."""

from workshop.agenda import MODULES
from workshop.lessons import lesson_text


def add_arguments(p):
    p.add_argument("module", help=f"one of: {', '.join(MODULES)}")


def run(args) -> int:
    print(lesson_text(args.module))  # UsageError (exit 2) for an unknown module
    return 0
