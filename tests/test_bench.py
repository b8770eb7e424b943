"""The benchmark's machinery: contenders in worker processes of their own, timed alike; the
rows it builds from what they report; the command and its files. Its numbers are never
asserted: speed goals live in the benchmark's own table (`workshop bench`), not in tests."""

import json

import pytest

from tests.conftest import run_cli
from workshop.bench import driver, suite
from workshop.bench.specs import Spec, first_reaching


@pytest.mark.slow
def test_every_kind_of_contender_runs_in_its_own_worker_and_is_timed():
    """The reference recipe (alone, and as written: with its validation), the default path (with
    everything `workshop train` adds to an epoch) and a level on one core (the scaling table's
    affinity): each a fresh process, ready after an untimed epoch, then one timed epoch per round."""
    specs = [Spec("ref", "reference", "mlp", threads="tensorflow", examples=640),
             Spec("recipe", "recipe", "mlp", threads="tensorflow", examples=640),
             Spec("default", "default", "mlp", examples=640),
             Spec("raw", "level", "mlp", {"api": "raw", "batch_size": 64}, cores=1, examples=640)]
    speeds = driver.round_robin(specs, 2, "digits", quick=True)
    assert set(speeds) == {"ref", "recipe", "default", "raw"}
    for name, values in speeds.items():
        assert len(values) == 2 and all(0 < v < 1e7 for v in values), (name, values)


@pytest.mark.slow
def test_a_learning_curve_is_chosen_by_validation_and_reports_test_once():
    result = driver.curve(Spec("default", "default", "mlp", examples=640), 3, "digits", quick=True)
    assert len(result["seconds"]) == len(result["val_accuracy"]) == 3  # one per epoch, validation only
    assert all(s > 0 for s in result["seconds"]) and 0.1 <= result["test_accuracy"] <= 1
    assert result["val_accuracy"][-1] > result["val_accuracy"][0] - 0.05  # it learns


def test_a_worker_that_fails_is_named_with_its_last_line():
    with pytest.raises(RuntimeError, match="benchmark worker for 'bad' stopped: .*no_such_model"):
        driver.round_robin([Spec("bad", "level", "no_such_model")], 1, "digits", quick=True)


def test_first_reaching_counts_training_seconds_until_validation_reaches_the_target():
    curve = {"seconds": [2.0, 2.0, 3.0], "val_accuracy": [0.90, 0.97, 0.99], "test_accuracy": 0.5}
    assert first_reaching(curve, 0.97) == (4.0, 2)
    assert first_reaching(curve, 0.99) == (7.0, 3)
    assert first_reaching(curve, 0.995) is None


def test_the_time_to_accuracy_rows_use_the_references_final_validation_accuracy(monkeypatch):
    """The target is the reference's last validation accuracy, not a test-set number; the ratio
    compares times to that same target; the test accuracies are only reported."""
    curves = {"recipe": {"seconds": [10.0] * 15, "val_accuracy": [0.9] * 10 + [0.98] * 5, "test_accuracy": 0.97},
              "default": {"seconds": [5.0] * 6, "val_accuracy": [0.95, 0.97, 0.98, 0.985, 0.99, 0.99],
                          "test_accuracy": 0.975}}
    monkeypatch.setattr(driver, "curve", lambda spec, epochs, dataset, quick: curves[spec.kind])
    rows = {r["name"]: r for r in suite.time_to_accuracy("digits", quick=False)}
    ref = rows["reference recipe to its final 98.00% validation accuracy"]
    ours = rows["cnn default path to the same 98.00%"]
    assert ref["median"] == 110.0 and "epoch 11 of its 15" in ref["note"]
    assert ours["median"] == 15.0 and ours["ratio"] == pytest.approx(15 / 110) and ours["target"] == "<= 0.3x"
    tests = [r for r in rows.values() if r["unit"] == "%"]
    assert [r["median"] for r in tests] == [pytest.approx(97.0), pytest.approx(97.5)]


def test_the_throughput_rows_compare_with_the_reference_and_the_targets(monkeypatch):
    specs = suite.throughput_specs("cnn", "digits60k", quick=False)
    names = [s.name for s in specs]
    assert names[0].startswith("cnn reference recipe") and specs[0].threads == "tensorflow"
    assert specs[1].kind == "recipe" and specs[1].whole_epoch and specs[1].threads == "tensorflow"
    assert specs[2].kind == "default" and specs[2].whole_epoch and not specs[3].whole_epoch
    assert not any("eager" in n for n in names)  # minutes per epoch at MNIST's size
    assert any("eager" in s.name for s in suite.throughput_specs("cnn", "digits", quick=False))
    monkeypatch.setattr(driver, "round_robin", lambda specs, rounds, dataset, quick: {
        s.name: [1000.0 * (i + 1), 1010.0 * (i + 1)] for i, s in enumerate(specs)})
    rows = suite.throughput("cnn", "digits", 2, quick=True)
    # whole epochs against the recipe's whole epochs (2000), training batches against its training batches (1000)
    assert [r["ratio"] for r in rows[:4]] == [pytest.approx(1.0), pytest.approx(1.0), pytest.approx(1.5),
                                              pytest.approx(4.0)]
    assert rows[2]["target"] == ">= 1.5x" and rows[2]["low"] == 3000 and rows[2]["high"] == 3030
    assert "whole epochs" in rows[2]["note"] and "ratio to the recipe as written" in rows[2]["note"]
    assert "training batches only" in rows[3]["note"]
    assert rows[5]["target"] == ">= 4.00x (fit's)"  # layers (tf.function): fit's ratio to the reference


def test_the_recipe_as_written_validates_every_epoch_and_the_reference_alone_does_not():
    """Keras's example fits with validation_split=0.1: a validation pass ends each of its epochs,
    as one ends each of the default path's. The "reference" contender times its training alone."""
    from workshop.bench import contenders
    from workshop.tf_env import keras
    data, cfg = suite.bench_data("mlp", "digits", quick=True, examples=256)

    class Keys(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.keys = set(logs)

    for kind, validates in (("reference", False), ("recipe", True)):
        train, predict, drain = contenders.trainer(Spec(kind, kind, "mlp"), data, cfg)
        seen = Keys()
        train([seen], epochs=2)
        assert ("val_accuracy" in seen.keys) == validates, (kind, seen.keys)
        assert predict(data.x_val).shape == (len(data.x_val), 10) and drain is None


def test_bench_command_writes_its_table(tmp_path):
    r = run_cli("bench", "--dataset", "digits", "--quick", "--only", "start-up", "--json", "--logdir", str(tmp_path))
    assert r.returncode == 0, r.stderr[-2000:]
    rows = json.loads(r.stdout.strip().splitlines()[-1])
    assert [row["section"] for row in rows] == ["start-up"] * 3
    assert all(row["median"] > 0 and row["low"] <= row["median"] <= row["high"] for row in rows)
    written = sorted((tmp_path / "bench").iterdir())
    assert [p.suffix for p in written] == [".csv", ".md"]
    assert "| section |" in written[1].read_text()


def test_bench_refuses_bad_options_in_one_line(tmp_path):
    from tests.conftest import assert_one_line_error
    line = assert_one_line_error(run_cli("bench", "--rounds", "0", "--logdir", str(tmp_path)), exit_code=2)
    assert "--rounds must be at least 1" in line
    assert not (tmp_path / "bench").exists()
