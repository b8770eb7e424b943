"""The command line: agenda times, exit codes, and staying fast (no TensorFlow) where nothing is computed."""

import json
import subprocess
import sys

import pytest

from workshop.agenda import AGENDA, schedule
from workshop.cli import COMMANDS, build_parser, main
from tests.conftest import ROOT, run_cli


def test_agenda_default_times():
    assert [t for t, _ in schedule()] == ["09:00", "09:15", "10:00", "10:30", "10:50", "10:55"]
    assert [i.module for i in AGENDA] == ["presentation", "introduction", "studio", "demo", "next", "qa"]


def test_agenda_start_shifts_every_item(capsys):
    assert main(["agenda", "--start", "14:30"]) == 0
    out = capsys.readouterr().out
    for when, module in [("14:30", "presentation"), ("14:45", "introduction"), ("15:30", "studio"),
                         ("16:00", "demo"), ("16:20", "next"), ("16:25", "qa")]:
        line = next(line for line in out.splitlines() if line.startswith(when))
        assert f"workshop run {module}" in line
    assert "16:40" in out  # the end


def test_bad_start_time_is_a_usage_error(capsys):
    assert main(["agenda", "--start", "25:99"]) == 2
    assert "HH:MM" in capsys.readouterr().err


def test_unknown_command_lists_valid_ones():
    r = run_cli("bogus")
    assert r.returncode == 2 and "agenda" in r.stderr and "train" in r.stderr and "Traceback" not in r.stderr


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = {line.split()[0] for line in capsys.readouterr().out.splitlines() if line.startswith("    ")}
    assert set(COMMANDS) <= listed, set(COMMANDS) - listed


def test_a_command_that_does_not_import_fails_loudly(monkeypatch):
    # build_parser() must not hide a broken command by leaving it out of --help
    monkeypatch.setitem(COMMANDS, "no_such_command", "a command whose module does not exist")
    with pytest.raises(ModuleNotFoundError, match="workshop.commands.no_such_command"):
        build_parser()


def test_unknown_dataset_name_is_usage_error():
    r = run_cli("datasets", "path", "cifar")
    assert r.returncode == 2 and "digits, digits60k, mnist5k, mnist, fashion_mnist, line" in r.stderr


@pytest.mark.parametrize("args", [["--help"], ["agenda"], ["datasets", "list"], ["datasets", "path", "mnist"]])
def test_light_commands_do_not_import_tensorflow(args):
    code = ("import sys\nfrom workshop.cli import main\ntry:\n    main(%r)\nexcept SystemExit:\n    pass\n"
            "print('\\nTF=' + str('tensorflow' in sys.modules))") % (args,)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.stdout.strip().endswith("TF=False"), r.stdout + r.stderr


def test_datasets_list_table(capsys):
    assert main(["datasets", "list"]) == 0
    out = capsys.readouterr().out
    assert "digits" in out and "yes (embedded)" in out
    assert "mnist" in out and "missing 1 of 1 files" in out  # the test's empty data dir


@pytest.mark.parametrize("args,needle", [
    (["train", "mlp", "--lr", "-1"], "must be positive"),
    (["train", "mlp", "--epochs", "0"], "must be positive"),
    (["train", "mlp", "--batch-size", "0"], "must be positive"),
    (["train", "mlp", "--dataset", "line"], "does not train on 'line'"),
])
def test_train_usage_errors(args, needle, capsys):
    try:
        code = main(args)  # errors found by TrainConfig.resolved()
    except SystemExit as e:  # errors found by argparse
        code = e.code
    assert code == 2
    assert needle in capsys.readouterr().err


def test_train_json_summary_on_last_line():
    r = run_cli("train", "mlp", "--api", "keras", "--epochs", "1", "--json")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    for key in ("model", "api", "dataset", "epochs", "train_loss", "val_loss", "val_accuracy", "test_accuracy",
                "examples_per_second", "wall_seconds"):
        assert key in summary
    assert summary["model"] == "mlp" and summary["epochs"] == 1 and 0.3 < summary["test_accuracy"] <= 1


def test_a_train_run_imports_only_what_it_uses():
    """The CLI imports the chosen command's module alone, and a layers-level MLP run at most 45 of
    the package's modules (the other levels' loops, models and commands stay unread)."""
    code = ("import sys, tempfile; from workshop.cli import main; "
            "main(['train', 'mlp', '--api', 'layers', '--epochs', '1', '--logdir', tempfile.mkdtemp()]); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'workshop'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    modules = eval(result.stdout.strip().splitlines()[-1])
    assert "workshop.training.layers_loop" in modules and "workshop.algorithms.mlp_layers" in modules
    unused = {"workshop.training.raw_loop", "workshop.training.keras_fit", "workshop.algorithms.cnn_keras",
              "workshop.commands.bench", "workshop.commands.lab", "workshop.bench"}
    assert not unused & set(modules), unused & set(modules)
    assert len(modules) <= 45, (len(modules), modules)


def test_every_command_module_imports():
    """Each command is imported only when chosen, so a broken one must still fail here."""
    parser = build_parser()  # every command's arguments: imports every command module
    assert set(parser._subparsers._group_actions[0].choices) == set(COMMANDS)
