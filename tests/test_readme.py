"""The README is for a reader: short, its quick start the two commands CI and the hooks rely on,
every file it names there to open. The speed tables live in workshop/bench/README.md."""

import re

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_the_readme_is_at_most_160_lines_and_starts_with_make_demo_and_make_test():
    assert len(README.splitlines()) <= 160
    quick_start = README.split("## Quick start", 1)[1].split("```")[1]
    commands = [line.split("#")[0].strip() for line in quick_start.strip().splitlines()]
    assert commands == ["make demo", "make test"]
    assert "no wheels for Intel Macs or Python 3.14" in README


def test_every_file_the_readme_names_exists():
    named = {m for m in re.findall(r"`(workshop/[^`<>* ]+|tests/[^`<>* ]*|notebooks/)`", README)}
    named |= set(re.findall(r"\]\((workshop/[^)]+)\)", README))
    assert "workshop/bench/README.md" in named
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, missing


def test_the_speed_tables_live_beside_the_benchmark():
    bench = (ROOT / "workshop/bench/README.md").read_text()
    assert "| default |" not in README and "steps_per_execution" not in README
    for heading in ("## What it measures", "## How to read the table", "## Targets"):
        assert heading in bench, heading
