"""The workshop's schedule. Pure Python: `workshop agenda` answers without TensorFlow."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from workshop import hints


@dataclass(frozen=True)
class Item:
    title: str
    minutes: int
    module: str  # the name `workshop run` and `workshop lesson` take
    summary: str


AGENDA = (
    Item("Presentation", 15, "presentation", "What a neural network is: nodes, layers, depth."),
    Item("Introduction", 45, "introduction", "How networks learn: perceptron to backprop, hand-made vs learned features."),
    Item("ML Studio", 30, "studio", "Experiments, sweeps, a model registry and batch scoring, all local."),
    Item("Demo", 20, "demo", "The CNN digit recognizer, trained two ways, watched in TensorBoard."),
    Item("Where to go next", 5, "next", "The API hierarchy in this package's files; other backends; more devices."),
    Item("Q&A", 15, "qa", "`workshop doctor` and the troubleshooting FAQ."),
)

MODULES = tuple(item.module for item in AGENDA)


def parse_start(text: str) -> datetime:
    """'HH:MM' -> a datetime on an arbitrary day; ValueError with a clear message otherwise."""
    try:
        return datetime.strptime(text, "%H:%M")
    except ValueError:
        raise ValueError(f"start time {text!r} is not HH:MM (24-hour clock), e.g. 09:00 or 14:30") from None


def schedule(start: str = "09:00") -> list[tuple[str, Item]]:
    """Each agenda item with its start time as 'HH:MM', items back to back from `start`."""
    t = parse_start(start)
    rows = []
    for item in AGENDA:
        rows.append((t.strftime("%H:%M"), item))
        t += timedelta(minutes=item.minutes)
    return rows


def format_agenda(start: str = "09:00") -> str:
    rows = schedule(start)
    end = parse_start(rows[-1][0]) + timedelta(minutes=AGENDA[-1].minutes)
    lines = [f"{'time':5}  {'min':>3}  {'item':17} {'run it with':32} what"]
    for when, item in rows:
        command = hints.command(f"run {item.module}")
        lines.append(f"{when:5}  {item.minutes:>3}  {item.title:17} {command:32} {item.summary}")
    lines.append(f"{end.strftime('%H:%M'):5}  end   (each module is a notebook too: {hints.command('lab')}; as text: "
                 f"{hints.command('lesson NAME')})")
    return "\n".join(lines)
