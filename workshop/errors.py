"""The two ways a command can refuse: a usage error (exit 2) or a failure (exit 1).

The CLI prints either as one line on stderr, no traceback: the message must say
what is wrong and what to do about it.
"""


class WorkshopError(Exception):
    """Something went wrong that the user can fix (missing file, bad model, NaN loss)."""

    exit_code = 1


class UsageError(WorkshopError):
    """The command line asked for something that does not exist or makes no sense."""

    exit_code = 2
