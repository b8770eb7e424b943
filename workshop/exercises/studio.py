"""Exercises of the studio lesson: reading a confusion table, and choosing a run the honest
way (by the validation split; the test split only reports). Truth: the definitions, and
pandas' idxmax on val_accuracy."""

import numpy as np

from workshop.exercises.core import NONE, Exercise, Wrong, call, compare, values


def sensitivity_specificity(counts):
    (tp, fn), (fp, tn) = counts
    return tp / (tp + fn), tn / (tn + fp)


def _counts(rng):
    """[[TP, FN], [FP, TN]] whose ratios all differ, so each mix-up gives its own numbers."""
    while True:
        tp, fn, fp, tn = (int(c) for c in rng.integers(1, 100, size=4))
        ratios = [tp / (tp + fn), tn / (tn + fp), tp / (tp + fp), tn / (tn + fn), fn / (tp + fn), fp / (fp + tn)]
        if min(abs(a - b) for i, a in enumerate(ratios) for b in ratios[i + 1:]) > 0.01:
            return np.array([[tp, fn], [fp, tn]])


def check_sensitivity_specificity(fn) -> str:
    rng = np.random.default_rng()
    cases = [_counts(rng), _counts(rng),
             np.array([[int(rng.integers(1, 50)), 0], [0, int(rng.integers(1, 50))]])]  # a perfect classifier
    for counts in cases:
        (tp, fn_), (fp, tn) = counts.tolist()
        sens, spec = tp / (tp + fn_), tn / (tn + fp)
        got = call(fn, counts)
        got = values(list(got) if isinstance(got, np.ndarray) and got.shape == (2,) else got,
                     ["sensitivity", "specificity"])
        layout = "the rows are the actual classes, [[TP, FN], [FP, TN]],"
        compare(got, [sens, spec], "(sensitivity, specificity)", rtol=1e-6, mistakes=[
            (f"sensitivity and specificity are swapped: {layout} and sensitivity = TP / (TP + FN)", [spec, sens]),
            (f"you read the table by columns: {layout} so sensitivity = TP / (TP + FN)",
             [tp / (tp + fp), tn / (tn + fn_)]),
            ("that sensitivity is the precision, TP / (TP + FP): sensitivity is TP / (TP + FN), "
             "the share of actual positives found", [tp / (tp + fp), spec]),
            ("that specificity is the false positive rate FP / (FP + TN): specificity is TN / (TN + FP)",
             [sens, fp / (fp + tn)]),
            ("that sensitivity is the miss rate FN / (TP + FN): sensitivity is TP / (TP + FN)",
             [fn_ / (tp + fn_), spec]),
            ("return fractions between 0 and 1, not percentages", [100 * sens, 100 * spec]),
        ])
    return "right on 3 tables, including a perfect classifier"


def best_run(table):
    return table["val_accuracy"].idxmax()


def _sweep(rng, rows):
    """A sweep table like the studio lesson's, rows shuffled, index labels that are not positions."""
    import pandas as pd  # imported here: `from workshop.exercises import check` stays light

    while True:  # the best by val, the best by test, the worst by val and the first row: all different
        val, test = rng.permutation(rows) * 0.01 + 0.8, rng.permutation(rows) * 0.01 + 0.8
        if rows == 1 or len({np.argmax(val), np.argmax(test), np.argmin(val), 0}) == 4:
            break
    labels = rng.permutation(rows) + 10 * int(rng.integers(1, 5))  # never equal to a position
    return pd.DataFrame({"learning_rate": rng.choice([0.01, 0.03, 0.1, 0.3], size=rows),
                         "hidden": rng.choice([16, 32, 64, 128], size=rows),
                         "val_accuracy": val.round(4), "test_accuracy": test.round(4)}, index=labels)


def check_best_run(fn) -> str:
    rng = np.random.default_rng()
    for table in (_sweep(rng, int(rng.integers(5, 10))), _sweep(rng, int(rng.integers(5, 10))), _sweep(rng, 1)):
        want = table["val_accuracy"].idxmax()
        got = call(fn, table)
        if got is None:
            raise Wrong(NONE)
        if type(got).__name__ == "Series":
            raise Wrong("you returned the whole row: return its index label (row.name), e.g. "
                        "table['val_accuracy'].idxmax()")
        if type(got).__name__ == "DataFrame":
            raise Wrong("you returned a table: return one index label, e.g. table['val_accuracy'].idxmax()")
        if np.ndim(got) != 0 or isinstance(got, str):
            raise Wrong(f"return one index label, got {type(got).__name__} {got!r}"[:120])
        if got == want:
            continue
        column = [c for c in ("val_accuracy", "test_accuracy") if got == table[c].max()]
        mistakes = [
            (table["test_accuracy"].idxmax(), "you chose by test_accuracy: the test split must never choose; "
                                              "choose by val_accuracy, the test split only reports"),
            (table["val_accuracy"].idxmin(), "that is the worst run, the lowest val_accuracy: take the largest"),
            (table.index[0], "you took the first row: this table is not sorted; find the largest val_accuracy "
                             "(idxmax)"),
            (int(np.argmax(table["val_accuracy"].to_numpy())),
             f"you returned the position {got}: return the index label, table.index[{got}] "
             "(idxmax gives it directly)"),
        ]
        why = [message for label, message in mistakes if got == label]
        if column:
            why.append(f"you returned the best {column[0]} itself, {float(got):.4g}: return that row's index label")
        raise Wrong(why[0] if why else f"expected the index label {want} (the best val_accuracy), got {got}")
    return "right on 3 shuffled sweep tables (index labels are not positions), including one of one row"


EXERCISES = {
    "sensitivity_specificity": Exercise(
        "studio", "sensitivity and specificity from a 2x2 table [[TP, FN], [FP, TN]]",
        sensitivity_specificity, "Each row is one actual class. Sensitivity: of the actual positives (row 0), "
        "the share called positive. Specificity: of the actual negatives (row 1), the share called negative.",
        check_sensitivity_specificity, imports=""),
    "best_run": Exercise(
        "studio", "the index label of the sweep's row with the best val_accuracy (never test_accuracy)",
        best_run, "Choose with the validation split: table['val_accuracy'].idxmax() gives the label of the row "
        "with the largest value. test_accuracy only reports on the chosen model.", check_best_run, imports=""),
}
