"""Filtering what C++ libraries write straight to file descriptor 2 (TensorFlow's start-up,
the LiteRT interpreter's notes): Python's logging never sees those lines, so they are caught
in a file while the library runs and passed on afterwards, all but the ones `drop` picks."""

import contextlib
import os
import sys
import tempfile


@contextlib.contextmanager
def filtered_stderr(drop):
    """Inside the block, fd 2 goes to a file; at its end, every line `drop(line)` is False for is
    written to stderr (warnings, errors), the others are dropped."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (an embedding host): nothing to filter
        yield
        return
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            lines = caught.read().decode(errors="replace").splitlines(keepends=True)
            sys.stderr.write("".join(line for line in lines if not drop(line)))
            sys.stderr.flush()
