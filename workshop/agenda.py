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

# The afternoon track, after lunch: one algorithm at a time, its model and loop at every level of the
# API in the notebook's own cells, trained side by side and proven equal weight for weight.
AFTERNOON = (
    Item("Levels: perceptron", 10, "levels-perceptron", "The rule in NumPy and on a tf.Variable: the same 65 weights."),
    Item("Levels: linear", 15, "levels-linear", "y = a*x + b four ways: by hand, GradientTape, layers, fit."),
    Item("Levels: logistic", 15, "levels-logistic", "One sigmoid neuron four ways; your loop in TensorBoard."),
    Item("Levels: MLP", 25, "levels-mlp", "Backprop by hand, tf.Module + tape, Keras layers, Sequential + fit."),
    Item("Levels: CNN", 20, "levels-cnn", "tf.nn.conv2d by hand, Keras layers, keras.Sequential: equal weights."),
)
LUNCH = 60  # minutes between the morning's last item and the afternoon track

MODULES = tuple(item.module for item in AGENDA)  # the morning's modules, in order
TRACK = tuple(item.module for item in AFTERNOON)  # the afternoon's levels lessons, in order
ORDER = MODULES + TRACK  # what `workshop run all` runs


def parse_start(text: str) -> datetime:
    """'HH:MM' -> a datetime on an arbitrary day; ValueError with a clear message otherwise."""
    try:
        return datetime.strptime(text, "%H:%M")
    except ValueError:
        raise ValueError(f"start time {text!r} is not HH:MM (24-hour clock), e.g. 09:00 or 14:30") from None


def schedule(start: str = "09:00", items=AGENDA) -> list[tuple[str, Item]]:
    """Each item (default: the morning's modules) with its start time as 'HH:MM', back to back from `start`."""
    t = parse_start(start)
    rows = []
    for item in items:
        rows.append((t.strftime("%H:%M"), item))
        t += timedelta(minutes=item.minutes)
    return rows


def afternoon(start: str = "09:00") -> list[tuple[str, Item]]:
    """The afternoon track's items with their start times: LUNCH minutes after the morning ends."""
    end = parse_start(start) + timedelta(minutes=sum(item.minutes for item in AGENDA) + LUNCH)
    return schedule(end.strftime("%H:%M"), AFTERNOON)


def _end(rows, items) -> str:
    return (parse_start(rows[-1][0]) + timedelta(minutes=items[-1].minutes)).strftime("%H:%M")


def format_agenda(start: str = "09:00") -> str:
    morning, track = schedule(start), afternoon(start)
    lines = [f"{'time':5}  {'min':>3}  {'item':18} {'run it with':36} what"]
    for when, item in morning:
        lines.append(f"{when:5}  {item.minutes:>3}  {item.title:18} {hints.command(f'run {item.module}'):36} "
                     f"{item.summary}")
    lines.append(f"{_end(morning, AGENDA):5}  end of the modules; lunch ({LUNCH} min)")
    lines.append("       afternoon track: one algorithm at every level, its code in the notebook's cells")
    for when, item in track:
        lines.append(f"{when:5}  {item.minutes:>3}  {item.title:18} {hints.command(f'run {item.module}'):36} "
                     f"{item.summary}")
    lines.append(f"{_end(track, AFTERNOON):5}  end   (each item is a notebook too: {hints.command('lab')}; as text: "
                 f"{hints.command('lesson NAME')}; all of them: {hints.command('run all')})")
    return "\n".join(lines)
