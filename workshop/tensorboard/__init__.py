"""TensorBoard for every run at every level: the writers, the launcher, the run table.

The custom loops write the same folders and tag names as Keras's TensorBoard
callback (`train/` and `validation/`, `epoch_loss`, `epoch_accuracy`; no flat
`epoch_learning_rate`), so a `keras` run and a `layers` run overlay on one chart.

    callbacks.py   standard_callbacks(): what every run gets
    scalars.py     EpochScalars: Keras's scalar tags, for the loops that are not `fit`
    dashboards.py  RunDashboards: histograms, images, text, graph, hparams, projector
    confusion.py   ConfusionMatrix: the validation confusion matrix, picture and table
    pictures.py    the pictures (matplotlib, NumPy, Pillow);  histograms.py: the weights' buckets
    projector.py, hparams.py: those dashboards
    server.py      start TensorBoard (`workshop tensorboard`, `workshop train --tensorboard`)
    run_table.py   read the event files back into a table (`workshop runs`)
"""
