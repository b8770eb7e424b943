"""Start a real TensorBoard on the logs: `workshop tensorboard` and `workshop train --tensorboard`.

TensorBoard runs as `python -m tensorboard.main` in a child process, so training and the
server never share a Python interpreter (or its GIL) and stopping it is one `terminate()`.
It listens on 127.0.0.1 unless asked otherwise: the logs hold the run's configuration
and data samples, so only an explicit `--host` shares them with the network.
`Server` and `pick_port` also run JupyterLab for `workshop lab` (workshop/notebook_server.py).
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from workshop.errors import WorkshopError
from workshop.paths import logs_dir

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 6006


def pick_port(host: str = LOOPBACK, preferred: int = DEFAULT_PORT) -> int:
    """`preferred` if nothing listens there yet, else a free port the system picks.
    (A port could be taken between this check and the server's bind; `start` then fails.)"""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            try:
                s.bind((host, port))
                return s.getsockname()[1]
            except OSError:
                continue
    raise WorkshopError(f"cannot listen on {host}: no free port")


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
        ignore_ctrl_c = None if ctrl_c else (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env=env, preexec_fn=ignore_ctrl_c)

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
        """Wait until it answers, print `lines`, serve until Ctrl-C; then stop cleanly and return 0."""
        try:
            self.wait_ready()
            print(*lines, sep="\n", flush=True)
            code = self.process.wait()
            raise WorkshopError(f"{self.name} stopped by itself (code {code}):\n{self.log_tail()}")
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


def start(logdir=None, host: str = LOOPBACK, port: int = DEFAULT_PORT) -> Server:
    """Start TensorBoard on `logdir` (default: the workshop's logs/) and return at once;
    call `wait_ready()` to block until it answers. port: tried first, else a free one."""
    logdir = logs_dir(logdir)
    logdir.mkdir(parents=True, exist_ok=True)  # TensorBoard on an empty folder shows "no data" until a run starts
    port = pick_port(host, port)
    command = [sys.executable, "-m", "tensorboard.main", "--logdir", str(Path(logdir).resolve()),
               "--host", host, "--port", str(port), "--reload_interval", "5"]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return Server("TensorBoard", command, http_url(host, port), ready="data/runs", env=env)


def start_beside(logdir=None) -> Server:
    """For `workshop train --tensorboard`: TensorBoard in the background while training
    runs; it picks the new run up within seconds. The caller stops it when training ends."""
    server = start(logdir)
    print(f"TensorBoard starting at {server.url} (it shows this run as it trains; stops when training ends)",
          flush=True)
    return server


def serve(logdir=None, host: str = LOOPBACK, port: int = DEFAULT_PORT) -> int:
    """For `workshop tensorboard`: serve until Ctrl-C, then stop cleanly and return 0."""
    server = start(logdir, host, port)
    lines = [f"TensorBoard at {server.url} on {logs_dir(logdir)}  (Ctrl-C to stop)"]
    if host != LOOPBACK:
        lines.append(f"note: listening on {host}: anyone who can reach this machine can read these logs")
    return server.serve(*lines)
