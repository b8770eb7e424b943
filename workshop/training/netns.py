"""Local workers on loopback only: one private network namespace for all of them (Linux).

TensorFlow's gRPC worker server binds 0.0.0.0 and [::] whatever address it is given, has no
setting for it and no authentication: anyone who reaches its port can run TensorFlow ops in it,
as the user who trains (TensorFlow's SECURITY.md: trusted networks only). On a room's shared
Wi-Fi that is everyone. So `train --workers N` puts its workers where no one else can reach
them: a network namespace of their own, whose only interface is a loopback. An unprivileged
process may make one inside a user namespace of its own (`unshare(CLONE_NEWUSER | CLONE_NEWNET)`):

    supervisor (workers.py; no TensorFlow)
      `-- launcher: python -m workshop.training.netns   unshare(CLONE_NEWUSER | CLONE_NEWNET),
            |                                          uid_map / gid_map (the user stays the user),
            |                                          `lo` up (SIOCSIFFLAGS): 127.0.0.1 and ::1 only
            |-- worker 0 (TensorFlow), its server on 127.0.0.1:P0 of the namespace
            `-- worker 1 ...

Two rules make it work. The kernel refuses CLONE_NEWUSER to a process with more than one thread,
so the launcher is a fresh Python that imports nothing but the standard library and calls it
first. And a namespace is inherited, never joined later: every worker is the launcher's child.
The files the workers write (logs, checkpoint, model) are the user's, as without the namespace:
the uid and gid map to themselves. Nothing outside the namespace, this machine's own processes
included, can connect to the workers; they reach each other on its 127.0.0.1.

The supervisor keeps its say over each worker: it asks the launcher to start it (its argv and
environment; its stdout and stderr are the supervisor's pipes, handed over as file descriptors),
gets its pid back, kills its process group when it must (pids are the same in both namespaces),
and learns its exit status from the launcher. A worker dies with the launcher, the launcher with
the supervisor (PR_SET_PDEATHSIG); when the supervisor's end of their socket closes, the launcher
kills every worker left and exits.

Where no namespace can be made (macOS, Windows; a Linux that forbids unprivileged user
namespaces, as Ubuntu 24.04 does by default, or a container's seccomp profile), `Namespace()`
raises Unconfined with the reason, and the command refuses unless told --allow-open-ports.
"""

import ctypes
import errno
import fcntl
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

from workshop.errors import WorkshopError

CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000  # <linux/sched.h>
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1  # <linux/sockios.h>, <net/if.h>
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
IFREQ = "16sH14x"  # struct ifreq: the interface's name, then ifr_flags (a short), padded to 32 bytes
READY_TIMEOUT = 30  # seconds for the launcher to start and make the namespace (a fresh Python: ~0.1 s)
MESSAGE = 1 << 20  # the largest message (a worker's argv and environment)
LAUNCHER = [sys.executable, "-m", "workshop.training.netns"]  # then the socket's file descriptor
CAUSES = {  # what an unshare that failed with this errno usually means
    errno.EPERM: "unprivileged user namespaces are forbidden on this system",
    errno.EACCES: "unprivileged user namespaces are forbidden on this system",
    errno.ENOSPC: "no more user namespaces are allowed (user.max_user_namespaces)",
    errno.EUSERS: "no more user namespaces are allowed (user.max_user_namespaces)",
    errno.ENOSYS: "this kernel has no namespaces",
    errno.EINVAL: "this kernel has no user or network namespaces",
}


class Unconfined(WorkshopError):
    """No private network namespace can be made here; the message says why."""


# -- the supervisor's side -------------------------------------------------------------------------

class Namespace:
    """The launcher, started and holding its namespace: `start(...)` starts a worker in it.
    Raises Unconfined (its reason as the message) where the namespace cannot be made."""

    def __init__(self):
        if sys.platform != "linux":
            raise Unconfined(f"this is {_system()}, and private network namespaces are Linux's")
        self.socket, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.processes, self.lock, self.replies, self.exits = {}, threading.Condition(), [], {}
        try:
            self.launcher = subprocess.Popen(
                [*LAUNCHER, str(theirs.fileno())],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, preexec_fn=die_with(os.getpid()),
                start_new_session=True)  # out of the terminal's Ctrl-C: it lives as long as the supervisor's socket
        finally:
            theirs.close()
        self.socket.settimeout(READY_TIMEOUT)
        try:
            first = json.loads(self.socket.recv(MESSAGE) or b'{"error": "the launcher exited at once"}')
        except (OSError, ValueError) as e:  # socket.timeout is an OSError
            first = {"error": f"the launcher did not answer ({e})"}
        if "error" in first:
            self.close()
            said = self.launcher.stderr.read().decode(errors="replace").strip().splitlines()
            raise Unconfined(first["error"] if first["error"] != "the launcher exited at once" or not said
                             else f"the launcher failed: {said[-1]}")
        self.socket.settimeout(None)
        threading.Thread(target=self._listen, daemon=True).start()

    def start(self, argv, env, stdout=None, stderr=None) -> "Launched":
        """A worker `argv` started in the namespace with environment `env`, in a session of its own.
        stdout: None (the supervisor's) or subprocess.DEVNULL; stderr: None or subprocess.PIPE
        (then the returned process's `stderr` reads it)."""
        read_end = None
        with open(os.devnull, "wb") as devnull:
            out = devnull.fileno() if stdout == subprocess.DEVNULL else 1
            if stderr == subprocess.PIPE:
                read_end, err = os.pipe()
            else:
                err = 2
            try:
                with self.lock:
                    socket.send_fds(self.socket, [json.dumps({"argv": list(argv), "env": dict(env)}).encode()],
                                    [out, err])
                    while not self.replies:
                        if not self.lock.wait(READY_TIMEOUT) and not self.replies:
                            raise WorkshopError("the namespace's launcher stopped answering")
                    reply = self.replies.pop(0)
            finally:
                if stderr == subprocess.PIPE:
                    os.close(err)  # the worker holds it now: its end closes the pipe
        if "error" in reply:
            if read_end is not None:
                os.close(read_end)
            raise OSError(reply.get("errno", errno.EIO), reply["error"])
        process = Launched(self, reply["pid"], os.fdopen(read_end, "rb") if read_end is not None else None)
        with self.lock:
            self.processes[process.pid] = process
            process.returncode = self.exits.pop(process.pid, None)
        return process

    def _listen(self):
        """The launcher's messages: replies to `start`, and workers' exits. At its end (the launcher
        gone, killed with everything it started), every worker not yet known to have exited counts as
        killed (SIGKILL: PR_SET_PDEATHSIG's)."""
        while True:
            try:
                data = self.socket.recv(MESSAGE)
            except OSError:
                data = b""
            with self.lock:
                if not data:
                    for process in self.processes.values():
                        if process.returncode is None:
                            process.returncode = -signal.SIGKILL
                    self.replies.append({"error": "the namespace's launcher is gone"})
                    self.lock.notify_all()
                    return
                message = json.loads(data)
                if "exited" in message:
                    process = self.processes.get(message["exited"])
                    if process is None:  # its exit overtook the reply that named it
                        self.exits[message["exited"]] = message["code"]
                    else:
                        process.returncode = message["code"]
                else:
                    self.replies.append(message)
                self.lock.notify_all()

    def close(self):
        """The launcher kills every worker still running and exits."""
        try:  # shutdown, not close alone: _listen's recv holds the socket open, and the launcher would not see its end
            self.socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.socket.close()
        try:
            self.launcher.wait(10)
        except subprocess.TimeoutExpired:
            self.launcher.kill()
            self.launcher.wait()


class Launched:
    """A worker started by the launcher, with Popen's face as workers.py uses it: pid, returncode
    (negative: killed by that signal), poll(), wait(), stderr."""

    def __init__(self, namespace, pid, stderr):
        self.namespace, self.pid, self.stderr, self.returncode = namespace, pid, stderr, None

    def poll(self):
        return self.returncode

    def wait(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.namespace.lock:
            while self.returncode is None:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise subprocess.TimeoutExpired(str(self.pid), timeout)
                self.namespace.lock.wait(left)
        return self.returncode


def why_unconfined() -> str | None:
    """None where local workers can be kept on loopback (a namespace was made, and let go, in
    about 0.1 s); else the reason, as `train --workers` would give it."""
    try:
        Namespace().close()
        return None
    except Unconfined as e:
        return str(e)


def die_with(parent: int):
    """What a child runs between fork and exec: on Linux, the kernel kills it (SIGKILL) when
    `parent` dies, however it dies."""
    prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None  # looked up before fork

    def setup():
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != parent:  # the parent died before prctl: nobody would stop this child
                os._exit(1)
    return setup


def _system() -> str:
    return {"darwin": "macOS", "win32": "Windows"}.get(sys.platform, sys.platform)


# -- the launcher: python -m workshop.training.netns FD ---------------------------------------------

def unshare():
    """This process into a new user and network namespace, as the same user, with `lo` up. Call it
    single-threaded. Raises OSError naming the step that failed."""
    uid, gid = os.getuid(), os.getgid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        code = ctypes.get_errno()
        cause = f" ({CAUSES[code]})" if code in CAUSES else ""
        raise OSError(code, f"unshare(CLONE_NEWUSER | CLONE_NEWNET) failed: {os.strerror(code)}{cause}")
    try:  # inside, uid and gid are what they were outside: the files the workers write stay the user's
        _write("/proc/self/uid_map", f"{uid} {uid} 1\n")
        _write("/proc/self/setgroups", "deny")  # the kernel's condition for an unprivileged gid_map
        _write("/proc/self/gid_map", f"{gid} {gid} 1\n")
    except OSError as e:
        raise OSError(e.errno, f"writing {e.filename} in the new user namespace failed: {e.strerror}") from None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:  # a new network namespace's lo is down
        try:
            flags = struct.unpack(IFREQ, fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack(IFREQ, b"lo", 0)))[1]
            fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack(IFREQ, b"lo", flags | IFF_UP))
        except OSError as e:
            raise OSError(e.errno, f"bringing the loopback interface up failed: {e.strerror}") from None


def _write(path, text):
    try:
        with open(path, "w") as f:
            f.write(text)
    except OSError as e:
        if path.endswith("setgroups") and e.errno == errno.ENOENT:  # kernels before 3.19 have no such file
            return
        e.filename = path
        raise


def launcher_main(fd: int) -> int:
    """Make the namespace, say so on socket `fd`, then start the workers asked for until the
    supervisor's end closes; then kill those still running. Single-threaded throughout."""
    channel = socket.socket(fileno=fd)
    try:
        unshare()
    except OSError as e:
        channel.send(json.dumps({"error": str(e.strerror or e)}).encode())
        return 1
    channel.send(b'{"ready": true}')
    running = {}
    channel.settimeout(0.05)  # between two looks at the workers
    while True:
        for pid, process in list(running.items()):
            if process.poll() is not None:
                del running[pid]
                _send(channel, {"exited": pid, "code": process.returncode})
        try:
            data, fds, _, _ = socket.recv_fds(channel, MESSAGE, 2)
        except TimeoutError:
            continue
        except OSError:
            data = b""
        if not data:  # the supervisor is done, or gone: nothing may outlive it
            for pid in running:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
            for process in running.values():
                process.wait()
            return 0
        request = json.loads(data)
        try:
            process = subprocess.Popen(request["argv"], env=request["env"], stdin=subprocess.DEVNULL, stdout=fds[0],
                                       stderr=fds[1], start_new_session=True, preexec_fn=die_with(os.getpid()))
            running[process.pid] = process
            _send(channel, {"pid": process.pid})
        except OSError as e:
            _send(channel, {"error": f"{request['argv'][0]}: {e.strerror or e}", "errno": e.errno})
        finally:
            for received in fds:
                os.close(received)


def _send(channel, message):
    try:
        channel.send(json.dumps(message).encode())
    except OSError:
        pass  # the supervisor's end closed: the next recv says so


if __name__ == "__main__":
    sys.exit(launcher_main(int(sys.argv[1])))
