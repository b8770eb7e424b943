"""Print the workshop's schedule: each item's start time, length and the module it runs."""

from workshop.agenda import format_agenda, parse_start
from workshop.errors import UsageError


def add_arguments(p):
    p.add_argument("--start", default="09:00", metavar="HH:MM", help="when the workshop starts (default 09:00)")


def run(args) -> int:
    try:
        parse_start(args.start)
    except ValueError as e:
        raise UsageError(str(e)) from None
    print(format_agenda(args.start))
    return 0
