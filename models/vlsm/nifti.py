"""Minimal NIfTI-1 reader (.nii / .nii.gz, little or big endian) for the ACDC volumes: no extra dependency.

read_nifti(path) -> numpy array in the file's (x, y, z[, t]) order."""
from __future__ import annotations

import gzip
import struct

import numpy as np

DTYPES = {2: "u1", 4: "i2", 8: "i4", 16: "f4", 64: "f8", 256: "i1", 512: "u2", 768: "u4"}


def read_nifti(path: str) -> np.ndarray:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    end = "<" if struct.unpack("<i", raw[:4])[0] == 348 else ">"
    if struct.unpack(end + "i", raw[:4])[0] != 348:
        raise ValueError(f"{path}: not a NIfTI-1 file")
    dim = struct.unpack(end + "8h", raw[40:56])
    code = struct.unpack(end + "h", raw[70:72])[0]
    offset = int(struct.unpack(end + "f", raw[108:112])[0])
    slope, inter = struct.unpack(end + "2f", raw[112:120])
    if code not in DTYPES:
        raise ValueError(f"{path}: NIfTI datatype {code} not supported")
    shape = tuple(int(d) for d in dim[1:1 + dim[0]])
    n = int(np.prod(shape))
    arr = np.frombuffer(raw, dtype=np.dtype(end + DTYPES[code]), count=n, offset=offset).reshape(shape, order="F")
    if slope not in (0.0, 1.0) or inter != 0.0:
        arr = arr * slope + inter
    return arr


def slices(path: str) -> list[np.ndarray]:
    """Axial slices of a 3-D volume as (rows=y, cols=x) arrays, in z order."""
    v = read_nifti(path)
    return [np.ascontiguousarray(v[:, :, k].T) for k in range(v.shape[2])]
