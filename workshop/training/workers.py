"""The worker processes of `workshop train MODEL --api raw|layers --workers N` (or `--cluster`).

The command's own process is a supervisor and never imports TensorFlow, so it starts at once and
stays free to stop the workers. It starts one process per worker (`python -m
workshop.training.workers`), each with its own TF_CONFIG, and waits:

    --workers N                 N workers on this machine, on free ports of 127.0.0.1
    --cluster H:P,H:P,...       one worker of a cluster of machines: this machine runs worker
      --worker-index I          I of the list (0, the chief, first); every machine runs the same
                                command with its own index

Each worker trains with tf.distribute.MultiWorkerMirroredStrategy (distributed.py says what that
changes in the loops); the chief (worker 0) alone writes the TensorBoard logs, the resume
checkpoint and the saved model, and hands its summary back to the supervisor, which prints it.

A run never hangs and leaves no process behind: if any worker exits with an error, or dies, or the
workers are not all up within the start timeout, the supervisor kills every other worker (its
whole process group; SIGKILL, because TensorFlow's workers catch SIGTERM as a preemption notice)
and says so in one line; Ctrl-C, SIGTERM or SIGHUP to the command stop them too. Each worker has
its own session, so the terminal's Ctrl-C reaches the supervisor alone, and on Linux a worker dies
with the supervisor whatever kills it (PR_SET_PDEATHSIG, as for TensorBoard's child in
tensorboard/server.py). Behind that, TensorFlow's own defence: a worker whose peer died fails its
next all-reduce within seconds (distributed.COLLECTIVE_TIMEOUT_SECONDS says why no timeout is set on
top). A stopped run saves no model (an earlier one at --save stays as it was) and keeps its
finished epochs: `--resume` continues it, on any number of workers.
WORKSHOP_DEBUG_WORKERS=1 prints every worker's last lines when one fails.

TensorFlow's worker servers listen on every network interface (TF 2.21's gRPC server binds
0.0.0.0 and [::] and offers no setting) and run whatever anyone who connects sends them, with no
authentication. So the workers of --workers N run inside one private network namespace whose only
interface is a loopback (netns.py, Linux): nothing outside it can reach them, and they reach each
other at 127.0.0.1. Where no such namespace can be made (macOS, Windows, a Linux that forbids
unprivileged user namespaces) the command refuses in one line, unless told --allow-open-ports.
--cluster's workers must be reachable from the other machines: a trusted network only.
"""

import collections
import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from workshop.errors import UsageError, WorkshopError

LOOPBACK = "127.0.0.1"
START_TIMEOUT = {"local": 120, "cluster": 600}  # seconds for every worker to be up (TensorFlow's import included)
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
POLL = 0.05  # seconds between two looks at the workers


@dataclass(frozen=True)
class Cluster:
    """addresses: every worker's host:port, worker 0 (the chief) first; here: the workers this
    machine runs (all of them for --workers, one for --cluster)."""

    addresses: tuple[str, ...]
    here: tuple[int, ...]

    @property
    def local(self) -> bool:
        return len(self.here) == len(self.addresses)


def local_cluster(workers: int) -> Cluster:
    """`workers` workers on this machine, each on a free port of 127.0.0.1. (A port could be taken
    between this choice and the worker's start; the worker then fails, and says so.)"""
    sockets = []
    try:
        for _ in range(workers):  # all held open at once: n different ports
            s = socket.socket()
            s.bind((LOOPBACK, 0))
            sockets.append(s)
        ports = [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()
    return Cluster(tuple(f"{LOOPBACK}:{port}" for port in ports), tuple(range(workers)))


def parse_cluster(spec: str, index) -> Cluster:
    """The cluster of `--cluster HOST:PORT,HOST:PORT,... --worker-index I`; UsageError if malformed."""
    addresses = tuple(part.strip() for part in spec.split(","))
    for address in addresses:
        host, _, port = address.rpartition(":")
        good_host = host and re.fullmatch(r"[A-Za-z0-9.\-\[\]:]+", host)
        if not good_host or not port.isdigit() or not 0 < int(port) < 65536:
            raise UsageError(f"--cluster: {address!r} is not HOST:PORT (e.g. 192.168.1.10:12345); give every "
                             "worker's address, comma-separated, worker 0 (the chief) first")
    if len(addresses) < 2:
        raise UsageError("--cluster needs at least two workers' addresses, comma-separated (one machine alone: "
                         "leave --cluster out, or use --workers N on it)")
    if len(set(addresses)) < len(addresses):
        raise UsageError(f"--cluster lists an address twice ({spec}); each worker needs its own HOST:PORT")
    if index is None:
        raise UsageError(f"--cluster needs --worker-index: this machine's place in the list, 0 to "
                         f"{len(addresses) - 1} (0 is the chief, which writes the logs and saves)")
    if not 0 <= index < len(addresses):
        raise UsageError(f"--worker-index {index} is not in --cluster's {len(addresses)} workers; "
                         f"choose 0 to {len(addresses) - 1}")
    return Cluster(addresses, (index,))


def tf_config(addresses, index: int) -> str:
    """The TF_CONFIG of worker `index` in a cluster of `addresses` ("host:port" each): what
    MultiWorkerMirroredStrategy reads to know its peers and its own place."""
    return json.dumps({"cluster": {"worker": list(addresses)}, "task": {"type": "worker", "index": index}})


# -- the supervisor: no TensorFlow ----------------------------------------------------------------

def train_on_workers(config, options, cluster: Cluster, start_timeout: float | None = None,
                     open_ports: bool = False) -> dict:
    """Train `config` (a resolved TrainConfig) on the workers of `cluster` this machine runs, and
    return the chief's summary (train.py's), or {} when the chief runs on another machine.
    The workers of a local cluster run in a private network namespace (netns.py); where none can be
    made, WorkshopError (one line) unless `open_ports` accepts servers open to the network.
    WorkshopError (one line) if a worker fails, dies or does not start in time; every worker this
    machine started is stopped before this returns or raises."""
    options = replace(options, workers=len(cluster.addresses)).checked(config)  # a level that cannot: one line, now
    if start_timeout is None:
        start_timeout = START_TIMEOUT["local" if cluster.local else "cluster"]
    namespace = _namespace(cluster, open_ports)
    began = time.time()
    with tempfile.TemporaryDirectory(prefix="workshop-workers-") as folder:
        folder = Path(folder)
        spec = {"config": asdict(config), "options": asdict(options),
                "folder": str(folder), "local_workers": len(cluster.here)}
        (folder / "spec.json").write_text(json.dumps(spec))
        ports = [cluster.addresses[i].rpartition(":")[2] for i in cluster.here]
        if namespace is None:
            print(f"note: TensorFlow's worker servers listen on every network interface (port{'s' * (len(ports) > 1)} "
                  f"{', '.join(ports)}) while they train, with no authentication: anyone who reaches them can run "
                  "code as you; train on workers on a trusted network only", file=sys.stderr, flush=True)
        workers = []
        try:
            for i in cluster.here:
                Worker(i, cluster, folder, started=workers, namespace=namespace)
            _supervise(workers, cluster, folder, start_timeout, config, options, began)
        except KeyboardInterrupt:  # Ctrl-C, SIGTERM, SIGHUP: every worker stops (finally), then say how to go on
            _stop_all(workers)
            if _kept_checkpoint(config, options, began):
                print("workshop: the run keeps its finished epochs; the same command with --resume continues it",
                      file=sys.stderr, flush=True)
            raise
        finally:
            _stop_all(workers)
            if namespace is not None:
                namespace.close()
        result = folder / "summary.json"
        if 0 in cluster.here and not result.exists():
            raise WorkshopError("worker 0 of {} finished without its summary: a bug; run again with "
                                "WORKSHOP_DEBUG_WORKERS=1 to see what the workers said".format(len(cluster.addresses)))
        return json.loads(result.read_text()) if result.exists() else {}


def _namespace(cluster: Cluster, open_ports: bool):
    """The private network namespace the workers of a local cluster run in (netns.py), or None:
    --cluster's workers must be reachable from the other machines, and `open_ports` accepts, where
    no namespace can be made, workers open to the network. WorkshopError (one line) otherwise."""
    if not cluster.local:
        return None
    from workshop.training import netns
    try:
        return netns.Namespace()
    except netns.Unconfined as e:
        if open_ports:
            return None
        raise WorkshopError(
            f"--workers {len(cluster.addresses)}: no private network namespace for the workers here ({e}), and "
            "without one TensorFlow's worker servers listen on every network interface with no authentication: "
            "anyone on this network could run code as you through them; train in one process (leave out "
            "--workers), or add --allow-open-ports to accept that on a network you trust") from None


class Worker:
    """One worker process: its own TF_CONFIG, its own process group, dead with the supervisor.
    Its stderr is read line by line: kept (the last lines say why it failed), and the chief's notes
    (`workshop: ...`, not errors) shown as they come."""

    def __init__(self, index: int, cluster: Cluster, folder: Path, started: list, namespace=None):
        """started: the list of started workers; this one joins it the moment its process exists, so
        a Ctrl-C that lands while it is still being set up stops it with the others. namespace: the
        netns.Namespace to start it in (its launcher's child), or None: this process's child."""
        self.index, self.count = index, len(cluster.addresses)
        env = {**os.environ, "TF_CONFIG": tf_config(cluster.addresses, index), "TF_CPP_MIN_LOG_LEVEL": "2"}
        argv = [sys.executable, "-m", "workshop.training.workers", str(folder / "spec.json"), str(index)]
        stdout = None if index == 0 else subprocess.DEVNULL
        if namespace is not None:  # in its own session there too, dead with the launcher
            self.process = namespace.start(argv, env, stdout=stdout, stderr=subprocess.PIPE)
        else:
            self.process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE,
                env=env, start_new_session=True,  # its own process group: stopped as one, out of the terminal's Ctrl-C
                preexec_fn=_die_with(os.getpid()))
        started.append(self)
        self.lines = collections.deque(maxlen=40)
        self.exited_at = None
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip()
            self.lines.append(line)
            if self.index == 0 and line.startswith("workshop: ") and not line.startswith("workshop: error:"):
                print(line, file=sys.stderr, flush=True)

    def poll(self):
        code = self.process.poll()
        if code is not None and self.exited_at is None:
            self.exited_at = time.monotonic()
        return code

    def why(self) -> str:
        """What the worker said last: its own one-line error, else the last line of a traceback."""
        lines = list(self.lines)
        for line in reversed(lines):
            if line.startswith("workshop: error: "):
                return line[len("workshop: error: "):]
        for line in reversed(lines):  # a traceback's last line (TensorFlow's errors are indented)
            if re.match(r"^[A-Za-z_.]*(Error|Exception)\b:", line.strip()):
                line = line.strip()
                return line if len(line) <= 240 else line[:237] + "..."
        return ""

    def stop(self):
        """SIGKILL to its whole process group. Not SIGTERM: TensorFlow's worker catches SIGTERM (its
        preemption notice) and goes on. Nothing is lost: checkpoints and models are written whole."""
        if self.process.poll() is None:  # (an exited worker's process group went with it)
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.process.wait()


def _die_with(parent: int):
    """What a worker runs between fork and exec: on Linux, the kernel kills it when the supervisor
    dies, by any signal (SIGKILL included), so no worker outlives the command."""
    prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None  # looked up before fork

    def setup():
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != parent:  # the supervisor died before prctl: nobody would stop this worker
                os._exit(1)
    return setup


def _exit_text(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit {code}"


def _supervise(workers, cluster, folder, start_timeout, config, options, began):
    """Wait for the workers; return when the chief has finished (the others have nothing left to
    do) or every worker here has; raise WorkshopError (one line) when one fails first, or when the
    cluster is not up within `start_timeout` seconds."""
    deadline = time.monotonic() + start_timeout
    ready = False
    while True:
        codes = {w.index: w.poll() for w in workers}
        if codes.get(0) == 0 or all(code == 0 for code in codes.values()):
            return
        failed = [w for w in workers if codes[w.index] not in (None, 0)]
        if failed:
            if os.environ.get("WORKSHOP_DEBUG_WORKERS"):  # every worker's last lines, to see what happened
                for w in workers:
                    print(f"--- worker {w.index}:", *w.lines, sep="\n", file=sys.stderr)
            raise _failure(_first(failed), workers, config, options, began)
        if not ready:
            ready = all((folder / f"ready-{w.index}").exists() for w in workers)
            if not ready and time.monotonic() > deadline:
                raise WorkshopError(_not_ready(workers, cluster, folder, start_timeout))
        time.sleep(POLL)


def _first(failed):
    """The worker whose end caused the others': one killed by a signal or one that said why (its own
    `workshop: error:` line) comes before those whose collectives broke because of it; among equals,
    the first to exit."""
    return min(failed, key=lambda w: (not (w.process.returncode < 0 or _own_error(w)), w.exited_at or 0, w.index))


def _own_error(worker) -> bool:
    return any(line.startswith("workshop: error: ") for line in worker.lines)


class WorkerFailed(WorkshopError):
    """A worker failed: its own error's exit status (2 for a usage error, such as --resume with other
    settings), else 1."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


def _failure(worker, workers, config, options, began) -> WorkerFailed:
    """The one line: which worker, what it said or how it ended, and what to do. A worker's own error
    (a dataset missing, a diverged loss, a checkpoint of other settings) says what to do itself."""
    code = worker.process.returncode
    running = sum(1 for w in workers if w is not worker and w.process.poll() is None)
    stopped = (f"; the other {'worker was' if running == 1 else f'{running} workers were'} stopped"
               if running else "")
    why = worker.why()
    if why and _own_error(worker):
        return WorkerFailed(f"worker {worker.index} of {worker.count}: {why}{stopped}", code if code in (1, 2) else 1)
    head = f"worker {worker.index} of {worker.count} stopped ({_exit_text(code)}{': ' + why if why else ''})"
    return WorkerFailed(head + stopped + _what_now(config, options, began))


def _what_now(config, options, began) -> str:
    """How to go on: nothing was saved; a run that finished an epoch continues with --resume."""
    saved = f"; nothing was saved to {options.save}" if options.save else "; nothing was saved"
    if _kept_checkpoint(config, options, began):
        return f"{saved}; run the same command with --resume to continue from its last finished epoch"
    return f"{saved}; run the command again"


def _kept_checkpoint(config, options, began) -> bool:
    """Did the chief (on this machine) write a checkpoint since the run began (checkpoints.py)?"""
    from workshop.paths import logs_dir
    parent = logs_dir(options.logdir) / options.experiment
    name = options.run_name or f"{config.model}-{config.api}-{config.dataset}"
    return any(p.stat().st_mtime >= began - 1 for p in parent.glob(f"{name}-*/resume.npz"))


def _stop_all(workers):
    for worker in workers:
        worker.stop()


def _not_ready(workers, cluster, folder, start_timeout) -> str:
    if cluster.local:
        late = next(w for w in workers if not (folder / f"ready-{w.index}").exists())
        return (f"worker {late.index} of {late.count} was not ready within {start_timeout:g} s (TensorFlow "
                f"starting, then every worker waiting for the others); all {len(workers)} were stopped: on a "
                "slow or busy machine, use fewer --workers or a longer --start-timeout")
    return (f"the cluster was not ready within {start_timeout:g} s: worker {cluster.here[0]} (this machine) "
            f"waited for the others at {', '.join(cluster.addresses)}; start the same command on every machine "
            "with its own --worker-index, check that each can reach the others' ports, or give a longer "
            "--start-timeout")


# -- a worker: python -m workshop.training.workers SPEC INDEX --------------------------------------

def worker_main(spec_path: str, index: str) -> int:
    """Join the cluster (TF_CONFIG), say so (ready-<index>), train, and, as the chief, hand the
    summary back (summary.json). Errors: one `workshop: error:` line, exit 1 (2 for usage)."""
    spec = json.loads(Path(spec_path).read_text())
    folder = Path(spec["folder"])
    try:
        from workshop.config import RunOptions, TrainConfig
        config = TrainConfig(**{**spec["config"], "hidden": tuple(spec["config"]["hidden"])})
        options = RunOptions(**spec["options"])
        from workshop.training import distributed
        local_index = int(index) if spec["local_workers"] > 1 else 0
        distributed.join(spec["local_workers"], local_index)  # returns once every worker has joined
        (folder / f"ready-{index}").touch()
        from workshop.training.train import train
        summary = train(config, options)
        if distributed.is_chief():
            temp = folder / "summary.json.partial"
            temp.write_text(json.dumps(summary))
            os.replace(temp, folder / "summary.json")
        return 0
    except WorkshopError as e:
        print(f"workshop: error: {e}", file=sys.stderr, flush=True)
        return e.exit_code


if __name__ == "__main__":
    code = worker_main(*sys.argv[1:3])
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is written (the chief's summary, model and logs are closed files). TensorFlow's own exit
    # would wait for the other workers to leave the cluster (about 15 s): no need, the supervisor watches.
    os._exit(code)
