"""The Projector dashboard: where the model puts each test image in its last hidden layer.

Writes into a run folder (which must also hold an event file, as every run folder does):
    features.tsv                one row per point: its features, tab-separated
    metadata.tsv                one row per point: true and predicted class
    sprite.png                  the images as one sheet, the points' thumbnails
    projector_config.pbtxt      ties them together, by paths relative to the folder

Why a TSV and not a TensorFlow checkpoint: the Projector looks for a checkpoint in every run
folder *and in its parent*, so a checkpoint in <run>/ would also be found from <run>/train and
<run>/validation, and those runs (with neither labels nor thumbnails) would be offered too,
the first of them by default. With plain files only the run folder itself has an embedding.
"""

from pathlib import Path

import numpy as np
from PIL import Image
from tensorboard.plugins import projector

from workshop.tensorboard import pictures

TENSOR_NAME = "features"  # what the Projector's "tensor" menu shows


def write_projector(folder, features, true_names, predicted_names, images=None) -> Path:
    """features float (N, D); true_names, predicted_names: N strings; images: float
    (N, H, W, 1) in [0, 1] for the sprite, or None. Returns the config's path."""
    folder = Path(folder)
    features = np.asarray(features, dtype=np.float32)
    np.savetxt(folder / "features.tsv", features, fmt="%.5g", delimiter="\t")  # 5 digits: more than a plot shows
    with open(folder / "metadata.tsv", "w", encoding="utf-8") as f:
        f.write("true\tpredicted\n")  # with two columns the first line names them
        f.writelines(f"{t}\t{p}\n" for t, p in zip(true_names, predicted_names))
    config = projector.ProjectorConfig()
    embedding = config.embeddings.add()
    embedding.tensor_name = TENSOR_NAME
    embedding.tensor_path = "features.tsv"  # paths relative to the folder: the logs can be moved
    embedding.tensor_shape.extend(features.shape)
    embedding.metadata_path = "metadata.tsv"
    if images is not None and images.ndim == 4 and images.shape[-1] == 1:
        Image.fromarray(pictures.sprite(images)).save(folder / "sprite.png")
        embedding.sprite.image_path = "sprite.png"
        embedding.sprite.single_image_dim.extend([images.shape[2], images.shape[1]])  # width, height
    projector.visualize_embeddings(str(folder), config)
    return folder / "projector_config.pbtxt"
