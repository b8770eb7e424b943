"""The benchmark's clock: what a worker (worker.py) times, the same way for every contender.

An epoch's seconds are the time between the ends of two consecutive epochs: whatever a run does
once an epoch has ended (its dashboards, its checkpoint) and the next epoch's training and
validation. Every contender reports its epoch ends alike: Keras's recipe through a callback,
the project's `train()` through the line it prints at each epoch's end ("Epoch 3/7 - ...",
RunOptions.verbose=1), read by `EpochLines`. So the project's code is timed through its public
interface alone, whichever checkout it comes from (specs.Spec.code).

Standard library only: a worker imports this before it imports the `workshop` under test.
"""

import re
import sys
import time

EPOCH_LINE = re.compile(r"Epoch (\d+)/(\d+)\b")
VAL_ACCURACY = re.compile(r"\bval_accuracy: ([0-9.]+)")
TERMINAL_CODE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class EpochClock:
    """Hears every epoch's end (`tick`) and keeps or reports the time.

    wait=None (a learning curve): keeps every epoch's seconds, the first from `start()`, and its
    validation accuracy. wait: a function that blocks until the driver asks for more and returns
    False when it is done. Then the first epoch is untimed (tracing, warm-up): at its end the clock
    says `ready` and waits; after each wait an epoch runs untimed (a process that waited its turn
    pays for the wait in its next epoch: tf.data's threads) and the next one is timed: at its end
    the clock says its seconds and waits again. `epochs(rounds)` is what that takes."""

    def __init__(self, say, wait=None):
        self.say, self.wait = say, wait
        self.ends, self.val_accuracy = [], []

    @staticmethod
    def epochs(rounds: int) -> int:
        return 1 + 2 * rounds

    def start(self):
        self.ends = [time.perf_counter()]

    def tick(self, val_accuracy=None):
        self.ends.append(time.perf_counter())
        # as the progress line prints it: to 4 places, enough to tell apart any two accuracies on a
        # validation split of up to 10,000 examples, so comparing rounded values loses no order
        self.val_accuracy.append(None if val_accuracy is None else round(float(val_accuracy), 4))
        if self.wait is None:
            return
        done = len(self.ends) - 1
        if done == 1:
            self.say("ready")
        elif done % 2:  # epochs 3, 5, ...: timed, each after an untimed one
            self.say(self.ends[-1] - self.ends[-2])
        else:
            return
        if not self.wait():
            raise SystemExit(0)  # the driver is done (or gone): stop the run here

    @property
    def seconds(self) -> list[float]:
        """Each epoch's seconds, from start() or the previous epoch's end."""
        return [b - a for a, b in zip(self.ends, self.ends[1:])]


class EpochLines:
    """A stand-in for sys.stdout while `train()` runs: each progress line it prints at an epoch's
    end ("Epoch N/M - ... - val_accuracy: 0.9479 - ...") ticks `clock`; every other line goes to
    `echo` (default: stderr, where a failing worker's last line is read)."""

    def __init__(self, clock: EpochClock, echo=None):
        self.clock, self.echo, self.pending, self.lines = clock, echo or sys.stderr, "", 0

    def write(self, text: str) -> int:
        self.pending += text
        *complete, self.pending = self.pending.split("\n")
        for line in complete:
            line = TERMINAL_CODE.sub("", line.rpartition("\r")[2])
            if EPOCH_LINE.match(line):
                self.lines += 1
                found = VAL_ACCURACY.search(line)
                self.clock.tick(found.group(1) if found else None)
            elif line.strip():
                print(line, file=self.echo, flush=True)
        return len(text)

    def flush(self):
        pass

    def isatty(self) -> bool:
        return False  # one line per epoch, no live batch counter
