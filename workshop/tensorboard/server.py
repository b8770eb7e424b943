"""Start a real TensorBoard on the logs: `workshop tensorboard` and `workshop train --tensorboard`.

TensorBoard runs as `python -m tensorboard.main` in a child process, so training and the
server never share a Python interpreter (or its GIL) and stopping it is one `terminate()`.
It listens on 127.0.0.1 unless asked otherwise: the logs hold the run's configuration
and data samples, so only an explicit `--host` shares them with the network.
"""

import os
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
    (A port could be taken between this check and TensorBoard's bind; `start` then fails.)"""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            try:
                s.bind((host, port))
                return s.getsockname()[1]
            except OSError:
                continue
    raise WorkshopError(f"cannot listen on {host}: no free port")


class Server:
    """A TensorBoard child process. `url` is where a browser finds it; `stop()` ends it."""

    def __init__(self, process, url, log):
        self.process, self.url, self._log = process, url, log

    def log_tail(self, chars=2000) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-chars:]

    def wait_ready(self, timeout: float = 90) -> "Server":
        """Block until TensorBoard answers /data/runs; raises WorkshopError if it died or
        stayed silent for `timeout` seconds (its start-up imports take a few seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise WorkshopError(f"TensorBoard exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "data/runs", timeout=2):
                    return self
            except OSError:
                time.sleep(0.3)
        tail = self.log_tail()  # before stop(): stop() closes the log
        self.stop()
        raise WorkshopError(f"TensorBoard did not answer at {self.url} within {timeout:.0f} s:\n{tail}")

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
    log = tempfile.TemporaryFile()  # its chatter, shown only if it fails
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    shown = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    return Server(process, f"http://{f'[{shown}]' if ':' in shown else shown}:{port}/", log)


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
    try:
        server.wait_ready()
        print(f"TensorBoard at {server.url} on {logs_dir(logdir)}  (Ctrl-C to stop)", flush=True)
        if host != LOOPBACK:
            print(f"note: listening on {host}: anyone who can reach this machine can read these logs", flush=True)
        code = server.process.wait()
        raise WorkshopError(f"TensorBoard stopped by itself (code {code}):\n{server.log_tail()}")
    except KeyboardInterrupt:
        print("\nTensorBoard stopped", flush=True)
        return 0
    finally:
        server.stop()
