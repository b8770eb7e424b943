"""The code behind the Q&A lesson (workshop/lessons/qa.py): the doctor's table, the FAQ's
questions, and loss curves at several learning rates.

    draw_checks        doctor.png: `workshop doctor`'s checks (workshop/checks.py) as a coloured table
    questions          the FAQ's questions, read from the lesson itself (its answers live only there)
    loss_curves        batch gradient descent on the `line` points at several learning rates
    draw_loss_curves   learning_rates.png: those curves, where each one blew up marked
"""

import math

import numpy as np

from workshop import hints


def draw_checks(lesson, checks):
    """doctor.png: checks [(status, name, detail), ...] as run_checks returns them, one coloured row each."""
    import matplotlib.pyplot as plt
    colours = {"OK": "#c8e6c9", "WARN": "#fff3c4", "FAIL": "#ffcdd2"}
    fig, ax = plt.subplots(figsize=(11, 0.5 + 0.35 * len(checks)))
    ax.axis("off")
    table = ax.table(cellText=[[s, n, d[:90]] for s, n, d in checks], colLabels=["", "check", "detail"],
                     cellColours=[[colours[s]] * 3 for s, _, _ in checks], loc="center", cellLoc="left",
                     colWidths=[0.06, 0.16, 0.78])
    table.scale(1, 1.4)
    ax.set_title("workshop doctor")
    lesson.figure(fig, "doctor")


def questions(lesson_name="qa") -> str:
    """The questions (bold lines) of the lesson's Troubleshooting section, under a '## Troubleshooting'
    heading that says where to read the answers: the lesson's source is the one place they are written."""
    from workshop.lessons.literate import read
    asked, inside = [], False
    for cell in read(lesson_name).cells:
        if cell.cell_type != "markdown":
            continue
        if cell.source.startswith("## "):  # a section starts: is it the one?
            inside = "Troubleshooting" in cell.source.splitlines()[0]
        if inside:
            asked += [line.strip("* ") for line in cell.source.splitlines() if line.startswith("**")]
    answers = hints.command(f"lesson {lesson_name}")
    return "\n".join([f"## Troubleshooting (the answers: {answers})", *(f"- {q}" for q in asked)])


def loss_curves(learning_rates, epochs, seed=0) -> dict:
    """{learning_rate: [training loss per epoch]} of the linear model at the numpy level on the
    `line` points, one batch of all 30 points per step: batch gradient descent, where a learning
    rate above 2 / (the largest eigenvalue of the loss's Hessian) must diverge. No NaN guard: a
    run that blows up runs on, its losses becoming inf, then nan."""
    from workshop.lessons.neurons import descend_line
    with np.errstate(all="ignore"):  # overflow is the point of the fast ones
        return {learning_rate: descend_line(30, learning_rate, epochs, seed)["loss"] for learning_rate in learning_rates}


def draw_loss_curves(lesson, curves):
    """learning_rates.png: each curve of `loss_curves` on a log scale; an x where it stopped being finite."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for learning_rate, losses in curves.items():
        stop = next((i for i, loss in enumerate(losses) if not math.isfinite(loss)), len(losses))
        line, = ax.plot(range(1, stop + 1), losses[:stop], label=f"learning rate {learning_rate:g}")
        if 0 < stop < len(losses):
            ax.plot(stop, losses[stop - 1], "x", color=line.get_color(), ms=10, mew=2)
    ax.set(xlabel="epoch (one step of batch gradient descent)", ylabel="training loss (MSE)", yscale="log",
           title=f"The same line, {len(curves)} learning rates (x: the loss became inf or NaN)")
    ax.legend(fontsize=8)
    lesson.figure(fig, "learning_rates")
