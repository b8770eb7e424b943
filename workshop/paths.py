"""Where the workshop keeps what it makes: datasets/, models/, logs/.

The project root is the folder holding `pyproject.toml` next to this package (a
clone of the repository); an installed copy uses the current directory instead.
`WORKSHOP_HOME` overrides the root; `WORKSHOP_DATA_DIR`, `WORKSHOP_LOGDIR` and
`WORKSHOP_MODELS_DIR` move one folder each (the command-line flags `--data-dir`,
`--logdir` and `--models-dir` win over both).
"""

import os
from pathlib import Path

_PACKAGE_PARENT = Path(__file__).resolve().parent.parent


def project_root() -> Path:
    if os.environ.get("WORKSHOP_HOME"):
        return Path(os.environ["WORKSHOP_HOME"]).expanduser()
    if (_PACKAGE_PARENT / "pyproject.toml").is_file():
        return _PACKAGE_PARENT
    return Path.cwd()


def _folder(override, variable: str, default: str) -> Path:
    """The flag's value if given, else $variable if set, else <project root>/<default>."""
    if override:
        return Path(override).expanduser()
    if os.environ.get(variable):
        return Path(os.environ[variable]).expanduser()
    return project_root() / default


def data_dir(override: str | os.PathLike | None = None) -> Path:
    return _folder(override, "WORKSHOP_DATA_DIR", "datasets")


def logs_dir(override: str | os.PathLike | None = None) -> Path:
    return _folder(override, "WORKSHOP_LOGDIR", "logs")


def models_dir(override: str | os.PathLike | None = None) -> Path:
    return _folder(override, "WORKSHOP_MODELS_DIR", "models")
