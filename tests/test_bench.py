"""The benchmark's machinery: contenders in worker processes of their own, timed alike through
their public interfaces; the rows it builds from what they report; the command and its files.
Its numbers are never asserted: speed goals live in the benchmark's own table (`workshop bench`),
not in tests."""

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT, assert_one_line_error, run_cli
from workshop.bench import driver, suite
from workshop.bench.clock import EpochClock, EpochLines
from workshop.bench.other import checkout
from workshop.bench.specs import Spec, first_reaching


@pytest.mark.slow
def test_every_kind_of_contender_runs_in_its_own_worker_and_is_timed():
    """Keras's recipe, the default path (train(), dashboards included) and a level without dashboards
    on one core (the scaling table's affinity): each a fresh process, ready after an untimed epoch,
    then one timed epoch per round."""
    specs = [Spec("recipe", "recipe", "mlp", examples=640),
             Spec("default", "train", "mlp", examples=640),
             Spec("raw", "train", "mlp", {"api": "raw", "batch_size": 64}, {"dashboards": False}, cores=1,
                  examples=640)]
    speeds = driver.round_robin(specs, 2, "digits", quick=True)
    assert set(speeds) == {"recipe", "default", "raw"}
    for name, values in speeds.items():
        assert len(values) == 2 and all(0 < v < 1e7 for v in values), (name, values)


@pytest.mark.slow
def test_a_learning_curve_is_chosen_by_validation_and_reports_test_once():
    for spec in (Spec("default", "train", "mlp", examples=640), Spec("recipe", "recipe", "mlp", examples=640)):
        result = driver.curve(spec, 3, "digits", quick=True)
        assert len(result["seconds"]) == len(result["val_accuracy"]) == 3, result  # one per epoch
        assert all(s > 0 for s in result["seconds"]) and 0.1 <= result["test_accuracy"] <= 1
        assert all(0 <= a <= 1 and round(a, 4) == a for a in result["val_accuracy"])  # as the progress line prints
        assert result["val_accuracy"][-1] > result["val_accuracy"][0] - 0.05  # it learns


def test_the_recipe_is_seeded_so_its_final_accuracy_the_target_repeats():
    """Time to accuracy aims at the recipe's last validation accuracy: two runs of it must end alike."""
    from workshop.bench.contenders import run_recipe
    curves = []
    for _ in range(2):
        clock = EpochClock(say=None)
        test = run_recipe(Spec("recipe", "recipe", "cnn", examples=320), "digits", True, 2, clock)
        curves.append((clock.val_accuracy, test))
    assert curves[0] == curves[1] and len(curves[0][0]) == 2, curves


def test_a_worker_that_fails_is_named_with_its_last_line():
    with pytest.raises(RuntimeError, match="benchmark worker for 'bad' stopped: .*no_such_model"):
        driver.round_robin([Spec("bad", "train", "no_such_model")], 1, "digits", quick=True)


FAKE_TRAIN = '''
import time

def train(config, options):
    """Another version of the code: its epochs take 50 ms and it says so as train() does."""
    for epoch in range(1, config.epochs + 1):
        time.sleep(0.05)
        print("not a progress line")
        print(f"Epoch {epoch}/{config.epochs} - 0s - 5ms/step - loss: 1.0 - val_accuracy: {epoch / 10:.4f}")
    return {"test_accuracy": 0.25, "options": options}
'''
FAKE_CONFIG = '''
from dataclasses import dataclass

@dataclass(frozen=True)
class TrainConfig:
    model: str
    dataset: str
    epochs: int
    max_examples: int | None = None

@dataclass(frozen=True)
class RunOptions:
    verbose: int = 1
    logdir: str = ""
    data_dir: str = ""
    dashboards: bool = True
'''


def fake_checkout(root):
    for folder in ("workshop", "workshop/training"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "workshop/config.py").write_text(FAKE_CONFIG)
    (root / "workshop/training/train.py").write_text(textwrap.dedent(FAKE_TRAIN))
    return root


def test_a_contender_from_another_checkout_runs_that_checkouts_train(tmp_path):
    """--compare-with: the worker imports the other checkout's `workshop` (here a fake one, no
    TensorFlow) and times it by the lines its train() prints, as it times this code."""
    with checkout(str(fake_checkout(tmp_path / "other"))) as (label, root):
        assert label == str(tmp_path / "other") and root == str(tmp_path / "other")
        result = driver.curve(Spec("other", "train", "mlp", code=root), 3, "digits", quick=True)
        speeds = driver.round_robin([Spec("other", "train", "mlp", code=root, examples=640)], 2, "digits", True)
    assert result["val_accuracy"] == [0.1, 0.2, 0.3] and result["test_accuracy"] == 0.25
    assert all(s >= 0.05 for s in result["seconds"])
    assert len(speeds["other"]) == 2 and all(v <= 640 / 0.05 for v in speeds["other"])


def test_compare_with_a_git_revision_unpacks_that_revisions_package():
    def git(*args):
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    if git("rev-parse", "HEAD").returncode:
        pytest.skip("not a git checkout")
    with checkout("HEAD") as (label, root):
        assert label == "HEAD " + git("rev-parse", "HEAD").stdout[:7]
        assert Path(root, "workshop/config.py").read_text() == git("show", "HEAD:workshop/config.py").stdout
    assert not Path(root).exists()  # removed after the benchmark
    commit = git("rev-parse", "HEAD").stdout.strip()
    with checkout(commit[:9]) as (label, root):
        assert label == commit[:9]


def test_the_clock_times_every_other_epoch_after_an_untimed_first(monkeypatch):
    said, answers = [], iter([True, True, False])
    clock = EpochClock(lambda *v: said.append(v), wait=lambda: next(answers))
    now = iter([0.0, 1.0, 3.0, 3.5, 6.0, 6.25])
    monkeypatch.setattr("workshop.bench.clock.time.perf_counter", lambda: next(now))
    clock.start()
    clock.tick()  # epoch 1: ready, then the driver asks for a round
    clock.tick()  # epoch 2: untimed, after the wait
    clock.tick()  # epoch 3: timed
    clock.tick()  # epoch 4: untimed
    with pytest.raises(SystemExit):
        clock.tick()  # epoch 5: timed, then the driver is done
    assert said == [("ready",), (0.5,), (0.25,)] and EpochClock.epochs(2) == 5


def test_epoch_lines_tick_the_clock_and_pass_everything_else_on(capsys):
    clock = EpochClock(None)
    clock.start()
    lines = EpochLines(clock)
    lines.write("loading ...\nEpoch 1/3 - 1s - 12ms/step - accuracy: 0.9 - val_accuracy: 0.94791 - val_loss: 0.2\n")
    lines.write("\r\x1b[K")  # what a live line on a terminal would clear, then
    lines.write("Epoch 2/3 - 1s - loss: 0.1")
    assert len(clock.seconds) == 1  # no tick until its line is complete
    lines.write("\nEpoch 3/3 - 0s - loss: 0.1\n")
    assert clock.val_accuracy == [0.9479, None, None] and lines.lines == 3 and not lines.isatty()
    assert capsys.readouterr().err.strip() == "loading ..."


def test_first_reaching_counts_training_seconds_until_validation_reaches_the_target():
    curve = {"seconds": [2.0, 2.0, 3.0], "val_accuracy": [0.90, 0.97, 0.99], "test_accuracy": 0.5}
    assert first_reaching(curve, 0.97) == (4.0, 2)
    assert first_reaching(curve, 0.99) == (7.0, 3)
    assert first_reaching(curve, 0.995) is None


def test_the_time_to_accuracy_rows_use_the_recipes_final_validation_accuracy(monkeypatch):
    """The target is the recipe's last validation accuracy, not a test-set number; the ratio
    compares times to that same target; the test accuracies are only reported."""
    curves = {"recipe": {"seconds": [10.0] * 15, "val_accuracy": [0.9] * 10 + [0.98] * 5, "test_accuracy": 0.97},
              "train": {"seconds": [5.0] * 6, "val_accuracy": [0.95, 0.97, 0.98, 0.985, 0.99, 0.99],
                        "test_accuracy": 0.975}}
    monkeypatch.setattr(driver, "curve", lambda spec, epochs, dataset, quick: curves[spec.kind])
    rows = {r["name"]: r for r in suite.time_to_accuracy("digits60k", quick=False)}
    ref = rows["recipe to its final 98.00% validation accuracy"]
    ours = rows["cnn default path to the same 98.00%"]
    assert ref["median"] == 110.0 and "epoch 11 of its 15" in ref["note"]
    assert ours["median"] == 15.0 and ours["ratio"] == pytest.approx(15 / 110) and ours["target"] == "<= 0.3x"
    assert [r["median"] for r in rows.values() if r["unit"] == "%"] == [pytest.approx(97.0), pytest.approx(97.5)]
    assert not any(r["target"] for r in suite.time_to_accuracy("digits", quick=False))  # 8x8: report only


def test_the_throughput_rows_compare_whole_epochs_with_the_recipe_and_price_the_dashboards(monkeypatch):
    specs = suite.throughput_specs("cnn", "digits60k", quick=False, other=("old", "/elsewhere"))
    assert [s.kind for s in specs[:5]] == ["recipe", "train", "train", "train", "train"]
    assert specs[1].options == {} and specs[2].options == {"dashboards": False}  # the same run, with and without
    assert [s.code for s in specs[:5]] == [None, None, None, "/elsewhere", "/elsewhere"]
    assert all(s.options.get("dashboards") is False for s in specs[5:])
    assert {s.config.get("api") for s in specs[5:]} == {"raw", "layers", "keras"}
    assert not any("eager" in s.name or "jit" in s.name for s in specs)  # minutes per epoch at MNIST's size
    assert any(s.mode == "eager" for s in suite.throughput_specs("cnn", "digits", quick=False))

    speeds = {s.name: [1000.0 * (i + 1), 1010.0 * (i + 1)] for i, s in enumerate(specs)}
    speeds[specs[1].name] = [1900.0, 1900.0]  # with dashboards: 5 % of an epoch, then 10 %
    speeds[specs[2].name] = [2000.0, 2111.0]
    monkeypatch.setattr(driver, "round_robin", lambda specs, rounds, dataset, quick: speeds)
    rows = {r["name"]: r for r in suite.throughput("cnn", "digits60k", 2, quick=False, other=("old", "/elsewhere"))}
    default = rows[specs[1].name]
    assert default["ratio"] == pytest.approx(1900 / 1005) and default["target"] == ">= 1.1x"
    assert "dashboards" in default["note"] and "whole epochs" in rows[specs[5].name]["note"]
    share = rows["cnn TensorBoard's share of an epoch"]
    assert (share["low"], share["high"], share["target"]) == (pytest.approx(5.0), pytest.approx(10.0, abs=0.01),
                                                               "<= 5")
    old = rows[f"{specs[1].name}: this code / [old]"]
    assert old["median"] == pytest.approx((1900 / 4000 + 1900 / 4040) / 2) and old["target"] == ">= 0.90"
    assert "cnn TensorBoard's share of an epoch [old]" in rows
    monkeypatch.setattr(driver, "round_robin", lambda specs, rounds, dataset, quick: {s.name: [1.0] for s in specs})
    small = suite.throughput("cnn", "digits", 1, quick=False)
    assert not any(r["target"] for r in small)  # on 8x8 digits: reported, no targets


def test_the_peak_rows_count_a_whole_epochs_arithmetic(monkeypatch):
    """Achieved GFLOP/s: forward and backward over the training examples, forward over the validation split."""
    from workshop.bench.flops import cnn_train_flops_per_example
    monkeypatch.setattr(driver, "one_shot", lambda spec, job, dataset, quick: ["100.0"])
    rows = [{"name": suite.recipe_name("cnn"), "median": 1000.0},
            {"name": suite.no_dashboards(suite.default_name("cnn")), "median": 2000.0}]
    peak, recipe, ours = suite.peak("digits60k", False, rows)
    assert peak["median"] == 100.0
    per_example = cnn_train_flops_per_example((28, 28, 1)) * (1 + 6000 / 54000 / 3)
    assert recipe["median"] == pytest.approx(1000 * per_example / 1e9) and recipe["ratio"] == recipe["median"] / 100
    assert ours["median"] == pytest.approx(2 * recipe["median"])


def test_bench_command_writes_its_table(tmp_path):
    r = run_cli("bench", "--dataset", "digits", "--quick", "--only", "start-up", "--json", "--logdir", str(tmp_path))
    assert r.returncode == 0, r.stderr[-2000:]
    rows = json.loads(r.stdout.strip().splitlines()[-1])
    assert [row["section"] for row in rows] == ["start-up"] * 3
    assert all(row["median"] > 0 and row["low"] <= row["median"] <= row["high"] for row in rows)
    written = sorted((tmp_path / "bench").iterdir())
    assert [p.suffix for p in written] == [".csv", ".md"]
    assert "| section |" in written[1].read_text()


@pytest.mark.parametrize("args, words", [(["--rounds", "0"], "--rounds must be 1 to 9"),
                                         (["--rounds", "10"], "--rounds must be 1 to 9"),
                                         (["--compare-with", "no-such-rev"], "--compare-with no-such-rev: neither")])
def test_bench_refuses_bad_options_in_one_line(tmp_path, args, words):
    line = assert_one_line_error(run_cli("bench", *args, "--logdir", str(tmp_path)), exit_code=2)
    assert words in line
    assert not (tmp_path / "bench").exists()
