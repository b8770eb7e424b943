"""The perceptron's first datasets: two-input truth tables, four rows each.

The whole function is the four rows, so they are train, validation and test at once:
the question is whether a rule can *represent* the table, not whether it generalizes.
"""

import numpy as np

from workshop.data.splits import Splits

INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)  # x (4, 2)
TABLES = {
    "or": np.array([0, 1, 1, 1], np.float32),
    "and": np.array([0, 0, 0, 1], np.float32),
    "xor": np.array([0, 1, 1, 0], np.float32),
}


def truth_table(name: str) -> Splits:
    """Splits whose every split is the four rows of gate `name`: x float32 (4, 2), y float32 (4,)."""
    x, y = INPUTS, TABLES[name]
    return Splits(name, x, y, x, y, x, y, classes=1, class_names=("0", "1"), version=f"truth-table/{name}")
