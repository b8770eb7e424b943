"""The Projector dashboard: where the model puts each test image in its last hidden layer.

Writes into a run folder (which must also hold an event file, as every run folder does):
    embedding.ckpt-1.*, checkpoint    the features, as a checkpoint of one variable
    metadata.tsv                      one row per point: true and predicted class
    sprite.png                        the images as one sheet, the points' thumbnails
    projector_config.pbtxt            ties them together
"""

from pathlib import Path

import numpy as np
from PIL import Image
from tensorboard.plugins import projector

from workshop.tensorboard import pictures
from workshop.tf_env import tf

# the name tf.train.Checkpoint gives the variable saved as `embedding=`
TENSOR_NAME = "embedding/.ATTRIBUTES/VARIABLE_VALUE"


def write_projector(folder, features, true_names, predicted_names, images=None) -> Path:
    """features float (N, D); true_names, predicted_names: N strings; images: float
    (N, H, W, 1) in [0, 1] for the sprite, or None. Returns the config's path."""
    folder = Path(folder)
    with open(folder / "metadata.tsv", "w", encoding="utf-8") as f:
        f.write("true\tpredicted\n")  # with two columns the first line names them
        f.writelines(f"{t}\t{p}\n" for t, p in zip(true_names, predicted_names))
    tf.train.Checkpoint(embedding=tf.Variable(np.asarray(features, dtype=np.float32))).save(
        str(folder / "embedding.ckpt"))
    config = projector.ProjectorConfig()
    embedding = config.embeddings.add()
    embedding.tensor_name = TENSOR_NAME
    embedding.metadata_path = "metadata.tsv"  # relative to the folder
    if images is not None and images.ndim == 4 and images.shape[-1] == 1:
        Image.fromarray(pictures.sprite(images)).save(folder / "sprite.png")
        embedding.sprite.image_path = "sprite.png"
        embedding.sprite.single_image_dim.extend([images.shape[2], images.shape[1]])  # width, height
    projector.visualize_embeddings(str(folder), config)
    return folder / "projector_config.pbtxt"
