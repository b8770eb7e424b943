"""Another version of the code for `workshop bench --compare-with`: a checkout's root, or a git
revision of this repository unpacked into a temporary folder for the length of the benchmark.
Its default paths run through its own `train()` (contenders.use_checkout), timed by this code."""

import contextlib
import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

from workshop.errors import UsageError


@contextlib.contextmanager
def checkout(rev_or_path):
    """Yields (label, root) for `rev_or_path`, or None for None; UsageError if it is neither a
    folder holding a `workshop` package nor a revision of the repository this code is in."""
    if rev_or_path is None:
        yield None
        return
    folder = Path(rev_or_path).expanduser()
    if (folder / "workshop" / "__init__.py").is_file():
        yield rev_or_path, str(folder.resolve())
        return
    repo = Path(__file__).resolve().parents[2]
    commit = _git(repo, "rev-parse", "--verify", "--quiet", f"{rev_or_path}^{{commit}}")
    if commit is None:
        raise UsageError(f"--compare-with {rev_or_path}: neither a folder holding a workshop/ package nor a git "
                         f"revision of the repository at {repo}; give a checkout's root, or a branch, tag or commit")
    commit = commit.strip()
    archive = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", commit, "workshop"],
                             capture_output=True, check=True).stdout
    label = rev_or_path if commit.startswith(rev_or_path) else f"{rev_or_path} {commit[:7]}"
    with tempfile.TemporaryDirectory(prefix="workshop-bench-other-") as root:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            # our own repository's archive; "data" refuses links out of the folder where Python has it (3.11.4+)
            tar.extractall(root, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
        yield label, root


def _git(repo, *args) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    except FileNotFoundError:  # no git on this machine
        return None
    return done.stdout if done.returncode == 0 else None
