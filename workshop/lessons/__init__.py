"""The workshop's lessons: one literate source each (literate.py explains the format).

    <module>.py            the agenda's six modules: presentation, introduction, studio,
                           demo, next, qa (workshop/agenda.py has their order)
    levels_<algorithm>.py  one algorithm at every level, side by side
    lesson.py              `Lesson`: what a running lesson writes through (runs, figures)
The other files hold the code the lessons call (drawings, small experiments). Importing
this package does not import TensorFlow.
"""
