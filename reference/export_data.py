"""Export the 8x8 digits data set for `descent train`: `python reference/export_data.py [--out DIR]`.

Writes fixtures/data/digits.txt from scikit-learn's copy of the UCI optical digits (the pinned
scikit-learn of requirements.txt), with a fixed stratified train/test split. Deterministic: the
same versions give a byte-identical file. (Not a `gen_*` module: it writes a data file, not
descent-fixture/1 cases; the extension .txt keeps it out of `descent verify fixtures/`.)

Format "descent-data/1" (Swift reader: Sources/DescentHarness/Training/DataSets.swift):
  lines starting with '#' are "key: value" metadata; then one example per line,
  `split target v0 v1 ... v63`, split is "train" or "test", target the class 0..9, v the 64
  pixel counts 0..16 of the 8x8 image, row-major. Features are v / 16.
"""
import argparse
import os

import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(os.path.dirname(HERE), "fixtures")

TEST_SIZE = 360          # 20 % of 1797, rounded to a multiple of 10
SPLIT_SEED = 0


def digits_text():
    d = load_digits()
    x = d.data
    assert x.shape == (1797, 64)
    xi = x.astype(np.int64)
    assert (xi == x).all() and xi.min() >= 0 and xi.max() <= 16
    y = d.target.astype(np.int64)
    _, test = train_test_split(np.arange(len(y)), test_size=TEST_SIZE, stratify=y, random_state=SPLIT_SEED)
    is_test = np.zeros(len(y), dtype=bool)
    is_test[test] = True
    lines = [
        "# format: descent-data/1",
        "# name: digits",
        "# description: optical recognition of handwritten digits, 8x8 images of pixel counts 0..16, 10 classes",
        f"# source: scikit-learn {sklearn.__version__} sklearn.datasets.load_digits() (reference/export_data.py)",
        "# origin: the test set of the UCI ML hand-written digits data set, E. Alpaydin and C. Kaynak (1998),"
        " https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits (doi:10.24432/C50P49)",
        "# licence: CC BY 4.0 (Creative Commons Attribution 4.0 International), as the UCI repository states for"
        " this data set; scikit-learn (BSD-3-Clause) ships it as sklearn/datasets/data/digits.csv.gz",
        f"# shape: {x.shape[0]} {x.shape[1]}",
        "# classes: 10",
        "# scale: 16",
        f"# split: {len(y) - TEST_SIZE} train, {TEST_SIZE} test: sklearn.model_selection.train_test_split("
        f"range(1797), test_size={TEST_SIZE}, stratify=target, random_state={SPLIT_SEED})",
        "# columns: split target v0 .. v63 (feature = v / scale)",
    ]
    for i in range(len(y)):
        lines.append(("test" if is_test[i] else "train") + " " + str(int(y[i])) + " " + " ".join(str(int(v)) for v in xi[i]))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=ROOT, help="fixtures folder (default: fixtures/)")
    args = ap.parse_args()
    path = os.path.join(args.out, "data", "digits.txt")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(digits_text())
    os.replace(tmp, path)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
