"""workshop/training/netns.py: the launcher that keeps local workers in a private network namespace.

No TensorFlow here: small Python children stand in for the workers (test_workers.py runs the real ones).
What they must see inside: loopback only, their own uid and gid, each other on 127.0.0.1; what the
supervisor must get: their pids, their exit statuses, their stderr; and nothing may outlive it.
"""

import json
import os
import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest

from conftest import alive

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="network namespaces are Linux's")


@pytest.fixture
def namespace():
    from workshop.training.netns import Namespace, why_unconfined
    reason = why_unconfined()
    if reason:
        pytest.skip(f"no namespace can be made here: {reason}")
    ns = Namespace()
    yield ns
    ns.close()


INSIDE = """
import json, os, socket
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen()
client = socket.create_connection(server.getsockname(), timeout=5)  # the namespace's own loopback works
print(json.dumps({"interfaces": [name for _, name in socket.if_nameindex()], "uid": os.getuid(), "gid": os.getgid(),
                  "net": os.readlink("/proc/self/ns/net")}))
"""


def test_children_report_their_exit_and_stderr(namespace):
    """An exit status comes back as Popen gives it (a signal as its negative number); stderr is a pipe."""
    code = namespace.start([sys.executable, "-c", "import sys; sys.stderr.write('said\\n'); sys.exit(3)"],
                           dict(os.environ), stderr=subprocess.PIPE)
    killed = namespace.start([sys.executable, "-c", "import time; time.sleep(60)"], dict(os.environ))
    os.killpg(killed.pid, signal.SIGKILL)  # from outside the namespace, by pid, as the supervisor stops a worker
    assert code.wait(30) == 3 and code.stderr.read() == b"said\n"
    assert killed.wait(30) == -signal.SIGKILL


def test_what_a_child_sees_inside(namespace, tmp_path):
    """Its own network namespace, with `lo` alone, up (it connects to itself on 127.0.0.1), and its own uid and gid."""
    result = tmp_path / "inside.json"
    script = INSIDE.replace("print(", f"open({str(result)!r}, 'w').write(")
    process = namespace.start([sys.executable, "-c", script], dict(os.environ), stderr=subprocess.PIPE)
    assert process.wait(30) == 0, process.stderr.read().decode()
    seen = json.loads(result.read_text())
    assert seen["interfaces"] == ["lo"] and seen["net"] != os.readlink("/proc/self/ns/net"), seen
    assert (seen["uid"], seen["gid"]) == (os.getuid(), os.getgid())
    assert (result.stat().st_uid, result.stat().st_gid) == (os.getuid(), os.getgid())  # the user's file


def test_nothing_outlives_the_namespace(namespace):
    """close() kills every child left; a launcher that dies takes its children with it."""
    from workshop.training.netns import Namespace
    sleeper = namespace.start([sys.executable, "-c", "import time; time.sleep(60)"], dict(os.environ))
    namespace.close()
    assert sleeper.wait(10) == -signal.SIGKILL and not alive(sleeper.pid)

    other = Namespace()
    try:
        orphan = other.start([sys.executable, "-c", "import time; time.sleep(60)"], dict(os.environ))
        other.launcher.kill()  # PR_SET_PDEATHSIG: the kernel kills its children
        assert orphan.wait(10) == -signal.SIGKILL
        deadline = time.monotonic() + 10
        while alive(orphan.pid):
            assert time.monotonic() < deadline, "a child outlived its launcher"
            time.sleep(0.05)
    finally:
        other.close()


@pytest.mark.slow
def test_the_next_lesson_shows_the_proof_with_mirrored_strategy_where_workers_are_refused(monkeypatch):
    """Where no namespace can be made, the `next` lesson does not start `--workers 2` (refused there) and trains
    the same MLP under MirroredStrategy on two replicas of one process: the weights of one device, to 1e-5. Its
    two cells, run here as the notebook runs them, with the refusal simulated."""
    from workshop.lessons import literate
    from workshop.training import netns
    cells = [cell.source for cell in literate.read("next").cells if cell.cell_type == "code"]
    (workers_cell,) = [c for c in cells if "netns.why_unconfined()" in c]
    (mirrored_cell,) = [c for c in cells if "MirroredStrategy(" in c]
    said = []
    reason = "unshare(CLONE_NEWUSER | CLONE_NEWNET) failed: Operation not permitted"

    class Refused:  # what the cell would call where workers can run: it must not
        @staticmethod
        def on_two_workers(*args, **kwargs):
            raise AssertionError("started --workers 2 where it is refused")
    monkeypatch.setattr(netns, "why_unconfined", lambda: reason)
    scope = {"lesson": SimpleNamespace(quick=True, say=said.append), "hierarchy": Refused}
    exec(workers_cell, scope)
    assert scope["unconfined"] == reason and scope["workers"] is None
    exec(mirrored_cell, scope)
    text = "\n".join(said)
    assert said[0] == f"  --workers 2 is refused here: {reason}", text
    assert "2 replicas (MirroredStrategy)" in text, text
    difference = float(text.split("largest weight difference, 2 replicas vs 1 device: ")[1].split()[0])
    assert difference <= 1e-5, text
