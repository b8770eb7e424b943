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


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived (a closed terminal, `kill`, a logout): the CLI raises this in
    the main thread so the run unwinds as it does on Ctrl-C, every `finally` stopping its
    child processes (TensorBoard) and no half-written model replacing a good one."""

    # the signal being handled, until the command ends: a library that swallowed the exception
    # (Keras turns logs into floats inside a bare `except:`) cannot swallow the stop (guards.StopWhenAsked)
    pending: int | None = None

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
