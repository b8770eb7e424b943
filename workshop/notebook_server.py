"""JupyterLab on the workshop's notebooks: `workshop lab`.

notebooks/*.ipynb are generated from the lesson sources (`python -m workshop.lessons.literate`)
and belong to the package, so a learner works in a copy of them, lab/ by default (git-ignored):
edits and outputs never change the package's notebooks, and a second `workshop lab` keeps them.

JupyterLab runs as `python -m jupyterlab` in a child process, started and stopped like
TensorBoard (tensorboard/server.py's `Server`). A Jupyter server runs any code it is sent, so
it listens on 127.0.0.1 unless `--host` says otherwise, and every request needs a random token.
Its kernel is this Python: the venv's own `python3` kernel spec (ipykernel) wins over a user's.
"""

import os
import secrets
import shutil
import sys
from pathlib import Path

from workshop.errors import WorkshopError
from workshop.paths import project_root
from workshop import hints
from workshop.tensorboard.server import LOOPBACK, Server, http_url, pick_port

DEFAULT_PORT = 8888


def working_folder(folder=None) -> Path:
    """Where the learner's copies live: `folder`, else <project root>/lab/."""
    return Path(folder).expanduser() if folder else project_root() / "lab"


def copy_notebooks(folder=None, reset: bool = False) -> Path:
    """Copy <project root>/notebooks/*.ipynb into `folder` (see `working_folder`) and return it.
    A copy already there that differs from the package's notebook is the learner's: it is kept,
    and named; with `reset` it is replaced, after saying so. Other files in `folder` stay as they are."""
    source = project_root() / "notebooks"  # where `python -m workshop.lessons.literate` writes them
    notebooks = sorted(source.glob("*.ipynb"))
    if not notebooks:
        raise WorkshopError(f"no notebooks in {source}: generate them with `python -m workshop.lessons.literate`")
    folder = working_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    edited = [n.name for n in notebooks if (folder / n.name).exists()
              and (folder / n.name).read_bytes() != n.read_bytes()]
    if edited and reset:
        print(f"--reset: replacing your copies of {', '.join(edited)} with fresh ones from {source}", flush=True)
    elif edited:
        print(f"kept your copies of {', '.join(edited)} (they differ from {source}; "
              f"`{hints.command('lab --reset')}` replaces them)", flush=True)
    for notebook in notebooks:
        if reset or notebook.name not in edited:
            shutil.copyfile(notebook, folder / notebook.name)
    return folder


class Lab(Server):
    """A JupyterLab child process; `link(path)` is a URL that carries its token."""

    def __init__(self, command: list[str], url: str, token: str, env: dict):
        super().__init__("JupyterLab", command, url, ready="api", env=env, ctrl_c=False)  # /api needs no token
        self.token = token

    def link(self, path: str = "lab") -> str:
        return f"{self.url}{path}?token={self.token}"


def start(folder, host: str = LOOPBACK, port: int = DEFAULT_PORT, browser: bool = False) -> Lab:
    """Start JupyterLab on `folder` (its root: nothing above it is served) and return at once;
    call `wait_ready()` to block until it answers. port: tried first, else a free one."""
    port, token = pick_port(host, port), secrets.token_urlsafe(24)
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={Path(folder).resolve()}",
               f"--ServerApp.ip={host}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--ServerApp.open_browser={browser}",
               "--ServerApp.allow_root=True",  # workshops often run in a container as root; the token guards it
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.news_url=None"]
    env = {**os.environ, "JUPYTER_TOKEN": token,  # not on the command line, which other users can read (ps)
           "JUPYTER_PREFER_ENV_PATH": "1",  # the venv's python3 kernel spec, not one in ~/.local
           # the notebooks' `%tensorboard` runs the `tensorboard` program: find the venv's even when the
           # learner did not activate it (otherwise the magic only prints an error and shows no dashboards)
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    return Lab(command, http_url(host, port), token, env)


def serve(folder=None, host: str = LOOPBACK, port: int = DEFAULT_PORT, browser: bool = False,
          reset: bool = False) -> int:
    """For `workshop lab`: copy the notebooks, serve them until Ctrl-C, then stop cleanly and return 0."""
    folder = copy_notebooks(folder, reset)
    lab = start(folder, host, port, browser)
    lines = [f"JupyterLab at {lab.link()} on {folder}  (Ctrl-C to stop)"]
    if host != LOOPBACK:
        lines.append(f"note: listening on {host}: anyone who can reach this machine and has the token can "
                     "run code as you")
    return lab.serve(*lines)
