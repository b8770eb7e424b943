"""The workshop's lessons: one literate source each (literate.py explains the format).

    <module>.py            the agenda's six modules: presentation, introduction, studio,
                           demo, next, qa (workshop/agenda.py has their order)
    levels_<algorithm>.py  one algorithm at every level, side by side: the agenda's afternoon
                           track, its models and loops the package's own files, inlined
    lesson.py              `Lesson`: what a running lesson writes through (runs, figures)
    literate.py, inline.py the notebook builder, and the `# %inline` cells it fills with code
The other files hold the code the lessons call (drawings, small experiments). Importing
this package does not import TensorFlow.
"""
