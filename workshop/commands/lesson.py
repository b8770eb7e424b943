"""Print a lesson as text (Markdown, its code as code blocks): workshop lesson introduction.

The same source is the notebook notebooks/<name>.ipynb and what `workshop run NAME` runs."""

from workshop.lessons.literate import LESSONS


def add_arguments(p):
    p.add_argument("lesson", help=f"one of: {', '.join(LESSONS)}")


def run(args) -> int:
    from workshop.lessons.literate import check_lesson, text
    check_lesson(args.lesson)  # UsageError (exit 2) for an unknown lesson
    print(text(args.lesson), end="")
    return 0
