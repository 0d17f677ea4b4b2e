"""Reference digests of float32 <-> bfloat16 / float16 conversion, from ml_dtypes and numpy.

Writes fixtures/data/lowp-conversions.txt with `python reference/generate.py --only
gen_lowp_conversions` (JSON, named .txt like the other data files, because fixture discovery reads
every .json under fixtures/ as a fixture). For each 16-bit format and each of its 65,536 bit
patterns p, four float32 inputs are converted to the format (the rule is in the file's
"inputs" text, and Tests/DescentTests/LowPrecisionTests.swift builds the same inputs):

- bfloat16: with u = p << 16 (the pattern widened), the inputs are u, u + 0x7FFF, u + 0x8000 (the
  midpoint to the next pattern, or a NaN payload), u + 0x8001, read as float32 bits.
- float16: with w = float32(p) widened exactly, for finite p: w, the float32 midpoint m between w
  and the next pattern away from zero (computed in float64; past the largest finite value the next
  is ±65536), and the float32 values just below and above m in magnitude (m's bits - 1 and + 1);
  for p with an all-ones exponent (inf, NaN): the bits of w, w + 0xFFF, w + 0x1000, w + 0x1001.

The outputs (16-bit patterns, little-endian) are hashed with FNV-1a 64 in blocks of 256
patterns (1,024 outputs), so a mismatch names the block. The widening of every pattern to float32
(bits, little-endian uint32) is hashed the same way. ml_dtypes 0.7.0 and numpy 2.4.6 (pinned in
requirements.lock) are the reference; numpy's float16 conversion is IEEE round-to-nearest-even.
"""
import json
import sys

import ml_dtypes
import numpy as np

import common

PATH = "data/lowp-conversions.txt"
BLOCK = 256


def fnv(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def digests(arr: np.ndarray, per_pattern: int) -> list:
    raw = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
    step = BLOCK * per_pattern * arr.itemsize
    return [fnv(raw[i:i + step]) for i in range(0, len(raw), step)]


def bf16_inputs() -> np.ndarray:
    u = np.arange(65536, dtype=np.uint32) << 16
    return np.stack([u, u + 0x7FFF, u + 0x8000, u + 0x8001], axis=1).reshape(-1)


def f16_inputs() -> np.ndarray:
    p = np.arange(65536, dtype=np.uint16)
    w = p.view(np.float16).astype(np.float32)
    wb = w.view(np.uint32)
    out = np.zeros((65536, 4), dtype=np.uint32)
    for i in range(65536):
        if (i & 0x7C00) == 0x7C00:
            b = int(wb[i])
            out[i] = [b, b + 0xFFF, b + 0x1000, b + 0x1001]
            continue
        mag = i & 0x7FFF
        if mag == 0x7BFF:
            nxt = 65536.0
        else:
            nxt = float(np.uint16(mag + 1).view(np.float16))
        if i & 0x8000:
            nxt = -nxt
        m = np.float32((float(w[i]) + nxt) / 2.0)
        mb = int(m.view(np.uint32))
        out[i] = [int(wb[i]), mb - 1, mb, mb + 1]
    return out.reshape(-1)


def build() -> "common.TextFile":
    np.seterr(all="ignore")
    bf_in = bf16_inputs()
    bf_out = bf_in.view(np.float32).astype(ml_dtypes.bfloat16).view(np.uint16)
    bf_wide = np.arange(65536, dtype=np.uint16).view(ml_dtypes.bfloat16).astype(np.float32).view(np.uint32)
    f16_in = f16_inputs()
    f16_out = f16_in.view(np.float32).astype(np.float16).view(np.uint16)
    f16_wide = np.arange(65536, dtype=np.uint16).view(np.float16).astype(np.float32).view(np.uint32)
    doc = {
        "format": "descent-lowp-conversions/1",
        "generator": "reference/gen_lowp_conversions.py",
        "reference": {"ml_dtypes": ml_dtypes.__version__, "numpy": np.__version__},
        "hash": "FNV-1a 64 over little-endian outputs, one digest per block of 256 bit patterns",
        "inputs": __doc__.split("\n\n")[2].strip(),
        "bfloat16": {"round_from_float32": digests(bf_out, 4), "widen_to_float32": digests(bf_wide, 1)},
        "float16": {"round_from_float32": digests(f16_out, 4), "widen_to_float32": digests(f16_wide, 1)},
    }
    return common.TextFile(PATH, json.dumps(doc, indent=1, sort_keys=True) + "\n")


FILES = common.Files()
FILES.add(PATH, build)


if __name__ == "__main__":
    sys.exit("run it as: python reference/generate.py --only gen_lowp_conversions")
