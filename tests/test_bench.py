"""The benchmark runs end to end and reports every section. Its numbers are never asserted:
speed goals live in the benchmark's own table, not in tests."""

import json

import numpy as np

import pytest

from tests.conftest import run_cli

SECTIONS = {"throughput", "data feeding", "peak", "time to accuracy", "inference", "start-up"}


@pytest.mark.slow
def test_bench_quick_reports_every_section(tmp_path):
    r = run_cli("bench", "--quick", "--rounds", "1", "--json", "--logdir", str(tmp_path))
    assert r.returncode == 0, r.stderr[-2000:]
    rows = json.loads(r.stdout.strip().splitlines()[-1])
    assert {row["section"] for row in rows} == SECTIONS
    names = [row["name"] for row in rows]
    for level in ("keras (fit, default)", "keras (fit, steps_per_execution=1)", "keras (fit, mixed_bfloat16)",
                  "keras (fit, batch x2)", "keras (fit, default) on TensorFlow's default threads",
                  "layers (tf.function)", "raw (tf.function)", "layers (eager)", "raw (jit_compile)"):
        assert f"cnn {level}" in names and f"mlp {level}" in names
    to_target = [row for row in rows if row["section"] == "time to accuracy"]
    assert len(to_target) == 3 and all(row["unit"] == "s" and row["median"] > 0 for row in to_target)
    assert sum("train mlp: launch to first step" in n for n in names) == 1
    reference = [row for row in rows if row["section"] == "throughput" and "reference" in row["name"]]
    assert len(reference) == 2 and all(row["ratio"] == pytest.approx(1.0) for row in reference)
    for row in rows:
        assert row["median"] >= 0 and row["low"] <= row["median"] <= row["high"]
        if row["section"] == "throughput":
            assert row["unit"] == "examples/s" and row["median"] > 0 and row["ratio"] > 0
    written = list((tmp_path / "bench").iterdir())
    assert sorted(p.suffix for p in written) == [".csv", ".md"]
    assert "| section |" in next(p for p in written if p.suffix == ".md").read_text()


def test_digits28_is_the_digits_at_mnist_size():
    from workshop.bench.flops import cnn_train_flops_per_example
    from workshop.bench.suite import bench_data
    small, _ = bench_data("cnn", "digits", quick=True)
    big, cfg = bench_data("cnn", "digits28", quick=True)
    assert big.x_train.shape == (len(small.x_train), 28, 28, 1) and big.input_shape == (28, 28, 1)
    assert (big.y_train == small.y_train).all() and cfg.dataset == "digits"
    assert 0 <= big.x_train.min() and big.x_train.max() <= 1
    # the same picture: shrunk back to 8x8, the upscaled image stays close to the original
    from PIL import Image
    shrunk = np.stack([np.asarray(Image.fromarray(im, mode="F").resize((8, 8), Image.BOX)) for im in big.x_train[:50, ..., 0]])
    assert abs(shrunk - small.x_train[:50, ..., 0]).mean() < 0.1
    assert round(cnn_train_flops_per_example(big.input_shape) / 1e6, 2) == 14.65  # MNIST's convnet, MFLOP
