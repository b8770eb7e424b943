"""The checks `workshop doctor` runs (the Q&A module runs them too): is this machine ready
for the workshop? Each check is OK, WARN or FAIL.

A check is a function returning (status, name, detail). FAIL means a lesson will not
run; WARN means it runs with less (no GPU, a dataset not downloaded yet).
TensorFlow is imported inside check_backend_and_devices only, so importing this is cheap.
"""

import importlib.metadata
import platform
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from workshop.data import DATASETS, status
from workshop.data.files import remedy
from workshop.errors import WorkshopError
from workshop.paths import data_dir, logs_dir
from workshop import hints
from workshop.tensorboard import server as tensorboard_server

OK, WARN, FAIL = "OK", "WARN", "FAIL"
PACKAGES = ("tensorflow", "keras", "tensorboard", "numpy")


def check_python():
    v = sys.version_info
    ok = (3, 11) <= (v.major, v.minor) <= (3, 13)
    return (OK if ok else FAIL), "python", f"{platform.python_version()}" + ("" if ok else " (need 3.11-3.13)")


def check_packages():
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            return FAIL, "packages", f"{name} is not installed: run `make setup` or `pip install -r requirements.txt`"
    return OK, "packages", ", ".join(found)


def check_backend_and_devices():
    """Imports TensorFlow through workshop.tf_env, which refuses a non-TensorFlow Keras backend."""
    try:
        from workshop.tf_env import keras, tf
    except WorkshopError as e:
        return [(FAIL, "keras backend", str(e))]
    cpus = tf.config.list_physical_devices("CPU")
    gpus = tf.config.list_physical_devices("GPU")
    devices = f"{len(cpus)} CPU, {len(gpus)} GPU" + ("" if gpus else " (fine: every lesson is sized for a CPU)")
    return [(OK, "keras backend", keras.backend.backend()), (OK, "devices", devices)]


def check_datasets(directory):
    """Each dataset's `status`: the very check `train` makes, so OK here means train will load it."""
    rows = []
    for name in DATASETS:
        st = status(name, directory)
        if st in ("embedded", "generated", "cached"):
            rows.append((OK, f"dataset {name}", st))
        elif st.startswith("missing"):
            fetch = hints.command(f"datasets fetch {name}")
            rows.append((WARN, f"dataset {name}", f"{st} - optional; `{fetch}` when online"))
        else:  # a file is there but bad: train would refuse it
            rows.append((WARN, f"dataset {name}", f"{st}: {remedy(name)}"))
    return rows


def check_tensorboard(logdir, timeout=60):
    """Start TensorBoard the way `workshop tensorboard` does (tensorboard/server.py), on a
    free loopback port, wait until it answers /data/runs, stop it."""
    began = time.perf_counter()
    try:
        # port 0: a free port the system picks, so a TensorBoard already on 6006 is no failure
        server = tensorboard_server.start(logdir, tensorboard_server.LOOPBACK, port=0)
    except WorkshopError as e:
        return FAIL, "tensorboard", str(e)
    try:
        server.wait_ready(timeout)
        waited = time.perf_counter() - began
    except WorkshopError as e:  # its message ends with TensorBoard's own log: keep the first line
        return FAIL, "tensorboard", str(e).splitlines()[0].rstrip(":")
    finally:
        server.stop()
    return OK, "tensorboard", f"answered on {urlsplit(server.url).netloc} after {waited:.1f} s"


def check_disk(logdir):
    existing = Path(logdir)
    while not existing.exists():
        existing = existing.parent
    free_gb = shutil.disk_usage(existing).free / 1e9
    state = OK if free_gb >= 1 else WARN if free_gb >= 0.1 else FAIL
    return state, "disk", f"{free_gb:.1f} GB free for {logdir}"


def run_checks(logdir=None, data=None, tensorboard=True) -> list[tuple[str, str, str]]:
    logdir, directory = logs_dir(logdir), data_dir(data)
    checks = [check_python(), check_packages()]
    if checks[-1][0] == OK:
        checks += check_backend_and_devices()
    checks += check_datasets(directory)
    if tensorboard:
        checks.append(check_tensorboard(logdir if logdir.exists() else directory.parent))
    checks.append(check_disk(logdir))
    return checks


def format_checks(checks) -> str:
    return "\n".join(f"  {state:4}  {name:21} {detail}" for state, name, detail in checks)
