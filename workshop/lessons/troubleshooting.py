"""Q&A: run `workshop doctor`'s checks, then print the troubleshooting FAQ from qa.md."""

from workshop.lessons import LESSONS_DIR
from workshop.checks import format_checks, run_checks


def faq() -> str:
    """The '## Troubleshooting' part of qa.md: the lesson is the one place the answers live."""
    text = (LESSONS_DIR / "qa.md").read_text(encoding="utf-8")
    return text[text.index("## Troubleshooting"):]


def draw_checks(ctx, checks):
    import matplotlib.pyplot as plt
    colours = {"OK": "#c8e6c9", "WARN": "#fff3c4", "FAIL": "#ffcdd2"}
    fig, ax = plt.subplots(figsize=(11, 0.5 + 0.35 * len(checks)))
    ax.axis("off")
    table = ax.table(cellText=[[s, n, d[:90]] for s, n, d in checks], colLabels=["", "check", "detail"],
                     cellColours=[[colours[s]] * 3 for s, _, _ in checks], loc="center", cellLoc="left",
                     colWidths=[0.06, 0.16, 0.78])
    table.scale(1, 1.4)
    ax.set_title("workshop doctor")
    ctx.figure(fig, "doctor")


def run(ctx) -> dict:
    ctx.say("workshop doctor:")
    checks = run_checks(ctx.logdir)
    ctx.say(format_checks(checks))
    (ctx.run_dir / "doctor.txt").write_text(format_checks(checks) + "\n")
    draw_checks(ctx, checks)
    ctx.say("")
    ctx.say(faq())
    return {"checks": checks}
