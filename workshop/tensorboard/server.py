"""Start a real TensorBoard on the logs: `workshop tensorboard` and `workshop train --tensorboard`.

TensorBoard runs as `python -m tensorboard.main` in a child process, so training and the
server never share a Python interpreter (or its GIL) and stopping it is one `terminate()`.
It listens on 127.0.0.1 unless asked otherwise: the logs hold the run's configuration
and data samples, so only an explicit `--host` shares them with the network.
`Server` and `pick_port` also run JupyterLab for `workshop lab` (workshop/notebook_server.py).

The child never outlives the `workshop` process: Ctrl-C, SIGTERM and SIGHUP unwind to a
`finally` that stops it (the CLI turns the two signals into `Stopped`), and on Linux the
kernel sends it SIGTERM if its parent dies of something no handler sees (SIGKILL).
"""

import ctypes
import difflib
import errno
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from workshop import hints
from workshop.errors import Stopped, UsageError, WorkshopError
from workshop.paths import logs_dir

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 6006
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def check_port(port: int) -> int:
    """`port` if it can be one (0 asks the system for a free one); UsageError otherwise."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port} is not a port: use a number from 1 to 65535 (0 picks a free one)")
    return port


def pick_port(host: str = LOOPBACK, preferred: int = DEFAULT_PORT, strict: bool = False) -> int:
    """`preferred` if nothing listens there yet; else, unless `strict`, a free port the system picks.
    WorkshopError if `host` is not an address of this machine, or if `preferred` is taken and `strict`.
    (A port could be taken between this check and the server's bind; `start` then fails.)"""
    check_port(preferred)
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            # as the servers themselves do: a port whose last connections are still closing (TIME_WAIT)
            # can be listened on, so a restarted TensorBoard keeps its port instead of moving
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((host, port))
                return s.getsockname()[1]
            except OSError as e:
                if e.errno == errno.EADDRINUSE and not strict:
                    continue
                if e.errno == errno.EADDRINUSE:
                    raise WorkshopError(f"port {port} on {host} is taken (a TensorBoard still running?); "
                                        "stop that program or choose another --port") from None
                if e.errno == errno.EACCES:
                    raise WorkshopError(f"port {port} needs administrator rights; choose a --port above 1023") from None
                raise WorkshopError(f"cannot listen on {host} ({e.strerror or e}): --host must be an address of "
                                    f"this machine, such as {LOOPBACK} (this machine only) or 0.0.0.0 (every "
                                    "network)") from None
    raise WorkshopError(f"cannot listen on {host}: no free port")


def _child_setup(ctrl_c: bool, parent: int):
    """What the child runs between fork and exec: maybe ignore Ctrl-C, and die with its parent."""
    prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None  # looked up before fork

    def setup():
        if not ctrl_c:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
            if os.getppid() != parent:  # the parent died before prctl: nobody would ever stop this child
                os._exit(1)
    return setup


def first_screen(runs: str = "") -> str:
    """What to append to TensorBoard's address for it to open on the loss and accuracy charts, side
    by side, each with its description a click away (the "i" beside it), and every other scalar
    below: the Scalars dashboard, its tag filter set. (Time Series, where TensorBoard opens by
    default, shows no descriptions.) runs: a regex, to show only the runs it matches."""
    state = {"tagFilter": "epoch_(loss|accuracy)", **({"regexInput": runs} if runs else {})}
    return "#scalars&" + urllib.parse.urlencode(state, quote_via=urllib.parse.quote)


def http_url(host: str, port: int) -> str:
    """Where a browser finds a server on host:port; a wildcard address shows this machine's name."""
    shown = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    return f"http://{f'[{shown}]' if ':' in shown else shown}:{port}/"


class Server:
    """A web server in a child process, started at once: `name` for messages, `url` where a
    browser finds it, `ready` the path (under `url`) that answers once it serves; `stop()` ends it.
    ctrl_c=False: the terminal's Ctrl-C reaches only this process, and the child ends by `stop()`'s
    SIGTERM alone (JupyterLab shuts its kernels down and cleans up on SIGTERM, not on SIGINT)."""

    def __init__(self, name: str, command: list[str], url: str, ready: str, env: dict | None = None,
                 ctrl_c: bool = True):
        self.name, self.url, self.ready = name, url, ready
        self._log = tempfile.TemporaryFile()  # its chatter, shown only if it fails
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env=env,
                                        preexec_fn=_child_setup(ctrl_c, os.getpid()))

    def log_tail(self, chars=2000) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-chars:]

    def wait_ready(self, timeout: float = 90) -> "Server":
        """Block until `url + ready` answers; raises WorkshopError if the server died or
        stayed silent for `timeout` seconds (start-up imports take a few seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise WorkshopError(f"{self.name} exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + self.ready, timeout=2):
                    return self
            except OSError:
                time.sleep(0.3)
        tail = self.log_tail()  # before stop(): stop() closes the log
        self.stop()
        raise WorkshopError(f"{self.name} did not answer at {self.url} within {timeout:.0f} s:\n{tail}")

    def serve(self, *lines: str) -> int:
        """Wait until it answers, print `lines`, serve until Ctrl-C; then stop cleanly and return 0.
        SIGTERM or SIGHUP (`Stopped`) stops it as cleanly, and goes on up to the CLI, which names it."""
        try:
            self.wait_ready()
            print(*lines, sep="\n", flush=True)
            code = self.process.wait()
            raise WorkshopError(f"{self.name} stopped by itself (code {code}):\n{self.log_tail()}")
        except Stopped:
            raise
        except KeyboardInterrupt:
            print(f"\n{self.name} stopped", flush=True)
            return 0
        finally:
            self.stop()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start(logdir=None, host: str = LOOPBACK, port: int | None = None) -> Server:
    """Start TensorBoard on `logdir` (default: the workshop's logs/) and return at once;
    call `wait_ready()` to block until it answers. port: that one, or WorkshopError if it is
    taken; None: DEFAULT_PORT, or a free one if that is taken (and a line says so)."""
    logdir = logs_dir(logdir)
    if logdir.exists() and not logdir.is_dir():
        raise UsageError(f"--logdir {logdir} is a file; TensorBoard reads a folder of logs (default {logs_dir()})")
    logdir.mkdir(parents=True, exist_ok=True)  # TensorBoard on an empty folder shows "no data" until a run starts
    wanted, port = port, pick_port(host, DEFAULT_PORT if port is None else port, strict=port is not None)
    if wanted is None and port != DEFAULT_PORT:
        print(f"note: port {DEFAULT_PORT} is taken (a TensorBoard still running?), so this one uses port {port}",
              flush=True)
    command = [sys.executable, "-m", "tensorboard.main", "--logdir", str(Path(logdir).resolve()),
               "--host", host, "--port", str(port), "--reload_interval", "5"]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    # ready: the plugin list, whose first request starts the check that lists the Projector (it runs in
    # the background): asked before any browser is, the tab is there on the first page, not after a reload
    return Server("TensorBoard", command, http_url(host, port), ready="data/plugins_listing", env=env)


def _ask_until_ready(url: str, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)


def start_beside(folder) -> Server:
    """For `workshop train --tensorboard`: TensorBoard in the background on `folder` (the run's
    experiment, so the learner lands on its runs, not on every run in logs/) while training runs;
    it picks the new run up within seconds. The caller says what happens to it when training ends."""
    server = start(folder)
    # training starts at once, so ask for the plugin list meanwhile (see `start`): a learner who opens
    # the page a few seconds later finds the Projector's tab without a reload
    threading.Thread(target=_ask_until_ready, args=(server.url + server.ready,), daemon=True).start()
    print(f"TensorBoard at {server.url + first_screen()} shows {hints.shown(folder)}/ (this run appears after its "
          "first epoch)",
          flush=True)
    return server


def check_logdir(logdir) -> None:
    """UsageError if `logdir`, given by hand, does not exist: a typo must not become a new empty folder."""
    path = Path(logdir).expanduser()
    if path.exists():
        return

    def folders(parent):
        return sorted(p.name for p in parent.iterdir() if p.is_dir()) if parent.is_dir() else []
    close = difflib.get_close_matches(path.name, folders(path.parent), n=1)
    if close:
        hint = f"did you mean {path.parent / close[0]}?"
    elif folders(logs_dir()):
        hint = f"the experiments in {logs_dir()} are {', '.join(folders(logs_dir()))}"
    else:
        hint = f"train a run first ({hints.command('train mlp')}), or leave --logdir out"
    raise UsageError(f"--logdir {logdir}: no such folder; {hint}")


def serve(logdir=None, host: str = LOOPBACK, port: int | None = None) -> int:
    """For `workshop tensorboard`: serve until Ctrl-C, then stop cleanly and return 0.
    A `logdir` given by hand must exist; `port` as in `start`."""
    if logdir is not None:
        check_logdir(logdir)
    server = start(logdir, host, port)
    lines = [f"TensorBoard at {server.url + first_screen()} on {logs_dir(logdir)}  (Ctrl-C to stop)"]
    if host != LOOPBACK:
        lines.append(f"note: listening on {host}: anyone who can reach this machine can read these logs")
    return server.serve(*lines)
