"""The benchmark runs end to end and reports every section. Its numbers are never asserted:
speed goals live in the benchmark's own table, not in tests."""

import json

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
    for level in ("keras (fit, default)", "keras (fit, steps_per_execution=1)", "layers (tf.function)", "raw (tf.function)", "layers (eager)", "raw (jit_compile)"):
        assert f"cnn {level}" in names and f"mlp {level}" in names
    reference = [row for row in rows if row["section"] == "throughput" and "reference" in row["name"]]
    assert len(reference) == 2 and all(row["ratio"] == pytest.approx(1.0) for row in reference)
    for row in rows:
        assert row["median"] >= 0 and row["low"] <= row["median"] <= row["high"]
        if row["section"] == "throughput":
            assert row["unit"] == "examples/s" and row["median"] > 0 and row["ratio"] > 0
    written = list((tmp_path / "bench").iterdir())
    assert sorted(p.suffix for p in written) == [".csv", ".md"]
    assert "| section |" in next(p for p in written if p.suffix == ".md").read_text()
