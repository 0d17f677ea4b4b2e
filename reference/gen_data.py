"""The data files of fixtures/ (not descent-fixture/1 cases, so `descent verify` skips them):

- data/digits.txt — scikit-learn's 8×8 digits for `descent train` (export_data.py);
- data/tune-functions.txt — the tuning test functions at fixed points, for TuneTests
  (tune/gen_function_values.py).

Both scripts still run on their own; this module lets generate.py (and check.sh) write them with
everything else.
"""
import importlib.util
import os

import common

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = common.Files()


@FILES.file("data/digits.txt")
def digits():
    import export_data

    return common.TextFile("data/digits.txt", export_data.digits_text())


@FILES.file("data/tune-functions.txt")
def tune_functions():
    spec = importlib.util.spec_from_file_location("gen_function_values", os.path.join(HERE, "tune", "gen_function_values.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return common.TextFile(mod.PATH, mod.text())


def generate():
    return FILES.build_all()
