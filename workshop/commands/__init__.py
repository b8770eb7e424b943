"""One module per `workshop` sub-command: `add_arguments(parser)` and `run(args) -> int`.

Module level imports stay light (no TensorFlow): the parser imports all of them.
"""
