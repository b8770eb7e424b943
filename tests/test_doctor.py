"""`workshop doctor`: every check answers OK, WARN or FAIL, and TensorBoard really starts."""

import json

from workshop.cli import main


def test_doctor_json_offline(tmp_path, capsys):
    assert main(["doctor", "--json", "--no-tensorboard", "--logdir", str(tmp_path / "logs")]) == 0
    checks = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    names = {c["check"] for c in checks}
    assert {"python", "packages", "keras backend", "devices", "dataset digits", "disk"} <= names
    assert all(c["status"] in ("OK", "WARN", "FAIL") for c in checks)
    assert {c["check"]: c["status"] for c in checks}["dataset digits"] == "OK"
    assert "dataset mnist" in names  # not downloaded in the tests' data dir: a WARN, not a FAIL


def test_doctor_starts_tensorboard(tmp_path, capsys):
    assert main(["doctor", "--logdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "OK    tensorboard" in out and "127.0.0.1" in out


def test_doctor_fails_on_another_backend():
    from tests.conftest import run_cli
    done = run_cli("doctor", "--no-tensorboard", env={"KERAS_BACKEND": "jax"})
    assert done.returncode == 1
    assert "FAIL  keras backend" in done.stdout and "unset KERAS_BACKEND" in done.stdout
