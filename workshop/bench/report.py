"""The benchmark's table: printed, and written as CSV and Markdown under logs/bench/."""

import csv
import time
from pathlib import Path

COLUMNS = ("section", "name", "median", "low", "high", "unit", "ratio", "target", "note")


def _fmt(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}"
    return str(v)


def markdown(rows) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        cells = [_fmt(r[c]) + ("x" if c == "ratio" and r[c] is not None else "") for c in COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def text_table(rows) -> str:
    cells = [[_fmt(r[c]) + ("x" if c == "ratio" and r[c] is not None else "") for c in COLUMNS] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(COLUMNS)]
    out = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths))]
    out += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(out)


def write(rows, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    csv_path, md_path = folder / f"bench-{stamp}.csv", folder / f"bench-{stamp}.md"
    with open(csv_path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    md_path.write_text(markdown(rows) + "\n")
    return csv_path, md_path
