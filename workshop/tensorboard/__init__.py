"""TensorBoard for every run at every level, written as TensorBoard's own guides write it.

The keras level passes keras.callbacks.TensorBoard to `fit`; the custom loops write their
scalars with `tf.summary.scalar` into the same folders and tags (`train/` and `validation/`,
`epoch_loss`, `epoch_accuracy`, `epoch_learning_rate`), so a `keras` run and a `layers` run
overlay on one chart. What Keras's callback does not write, these add:

    writers.py     RunWriters: one tf.summary.create_file_writer per folder of a run
    dashboards.py  Dashboards: confusion matrix, mistakes, filters, histograms, texts; write_results()
    graph.py       StepGraph, KerasStepGraph: the op graph of one training step
    pictures.py    the pictures, drawn with matplotlib
    projector.py, hparams.py: those dashboards
    server.py      start TensorBoard (`workshop tensorboard`, `workshop train --tensorboard`)
    run_table.py   read the event files back into a table (`workshop runs`)
"""
