"""TensorBoard for every run at every level: the writers, the launcher, the run table.

The custom loops write the same folders and tag names as Keras's TensorBoard
callback (`train/` and `validation/`, `epoch_loss`, `epoch_accuracy`,
`epoch_learning_rate`), so a `keras` run and a `layers` run overlay on one chart.
"""
