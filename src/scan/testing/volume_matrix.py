"""Writes a matrix of small asymmetric volumes and what the reference readers say about them.

    python src/scan/testing/volume_matrix.py OUT_DIR

For src/scan/volume/reference.test.ts. Every volume is 7 x 5 x 4 voxels (one case is 4-D) whose voxels all
hold different values (value = f(i + 7 j + 35 k)) and one marker voxel holding the largest value, so any
axis swap, flip, wrong scaling or wrong byte order shows. The expected geometry and values are read back
from the written files by the reference libraries, never taken from what the script meant to write:

- NIfTI: nibabel (`img.affine` = get_best_affine: sform when sform_code > 0, else qform, else the base
  affine; `get_fdata()` = scaled values).
- DICOM: pydicom (pixel_array + apply_modality_lut; the RAS affine per PS3.3 C.7.6.2.1.1 from
  ImagePositionPatient / ImageOrientationPatient / PixelSpacing, slices sorted along the normal), and a
  legacy-converted enhanced CT written by highdicom from the same slices.
- NRRD and MetaImage (no reference library in .venv): the headers are written by hand and the expected
  affine follows the format specifications (NRRD: world = origin + sum idx_i * dir_i in `space`;
  MetaImage, as ITK reads it: LPS, TransformMatrix row i = direction of axis i, Offset = origin).

cases.json lists, per case: files, reference affine (voxel -> RAS, 4x4), reference data (i fastest; flat),
shape, spacing (app order: column, row, slice), the marker voxel, the acquisition plane, whether the
volume is oblique, and for refusals the words the message must contain.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import struct
import sys
import zlib

import nibabel as nib
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels import apply_modality_lut
from pydicom.uid import (DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian,
                         JPEGLSLossless, RLELossless, generate_uid)

SHAPE = (7, 5, 4)
MARKER = (1, 3, 3)
LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])

cases: list[dict] = []


def base_values(shape=SHAPE) -> np.ndarray:
    """i + 7 j + 35 k (+ 140 t), shape (x, y, z[, t]); every voxel different."""
    idx = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape, order="F")
    return idx


def stored(kind: str, shape=SHAPE) -> np.ndarray:  # noqa: C901
    """On-disk values of `kind` with a unique maximum at the marker (every time point)."""
    v = base_values(shape)
    if kind == "uint8":
        a = v % 200
        top = 255
    elif kind == "int8":
        a = (v % 200) - 100
        top = 127
    elif kind == "int16":
        a = v * 7 - 1000  # negatives, no wrap
        top = 30000
    elif kind == "uint16":
        a = v * 100 + 40000  # over 32767: read as int16 they would wrap
        top = 65000
    elif kind == "int32":
        a = v * 1000 - 70000
        top = 2_000_000_000
    elif kind == "int64":
        a = v * 1000 - 70000
        top = 2**40
    elif kind == "uint64":
        a = v * 1000 + 2**33
        top = 2**50
    elif kind == "uint32":
        a = v * 1000 + 3_000_000_000
        top = 4_000_000_000
    elif kind in ("float32", "float64"):
        a = v * 0.25 - 3.375
        top = 1e4 + 0.5
    else:
        raise ValueError(kind)
    a = a.astype(kind)
    a[MARKER] = top
    return a


def rot(axis: str, deg: float) -> np.ndarray:
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    if axis == "x":
        return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    if axis == "y":
        return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def affine(dirs: np.ndarray, zooms, origin) -> np.ndarray:
    """4x4 from a 3x3 of unit axis directions (columns), zooms and origin."""
    a = np.eye(4)
    a[:3, :3] = np.asarray(dirs, float) @ np.diag(zooms)
    a[:3, 3] = origin
    return a


UNIT = {"R": (1, 0, 0), "L": (-1, 0, 0), "A": (0, 1, 0), "P": (0, -1, 0), "S": (0, 0, 1), "I": (0, 0, -1)}
# stored orientations beyond the usual ones (FreeSurfer's LIA, sagittal and coronal stacks, every axis flipped)
AXCODES = ["LIA", "PIL", "ASL", "RSP", "IPL", "SAR", "LPI", "PRS", "ILP"]


def axcodes(code: str) -> np.ndarray:
    """3x3 whose column i is the RAS direction voxel axis i points to, e.g. 'LIA'."""
    return np.array([UNIT[c] for c in code], float).T


def is_oblique(aff: np.ndarray) -> bool:
    d = aff[:3, :3] / np.linalg.norm(aff[:3, :3], axis=0)
    return bool(np.any((np.abs(d) > 1e-3) & (np.abs(d) < 1 - 1e-3)))


def plane_of(normal) -> str:
    m = np.abs(np.asarray(normal, float))
    return "axial" if m[2] >= m[0] and m[2] >= m[1] else "coronal" if m[1] >= m[0] else "sagittal"


def add(name: str, files: list[str], aff: np.ndarray, data: np.ndarray, spacing, **extra) -> None:
    data = np.asarray(data, dtype=np.float64)
    first = np.nan_to_num(data[..., 0] if data.ndim == 4 else data, nan=-np.inf)
    marker = [int(v) for v in np.unravel_index(int(np.argmax(first)), data.shape[:3])]
    cases.append({
        "name": name, "files": files, "affine": [float(v) for v in np.asarray(aff).ravel()],
        # non-finite values as strings JSON can hold ("NaN", "Infinity", "-Infinity"), read back with Number()
        "shape": list(data.shape), "data": [float(v) if np.isfinite(v) else str(v).replace("nan", "NaN").replace("inf", "Infinity") for v in data.ravel(order="F")],
        "spacing": [float(s) for s in spacing], "marker": marker,
        "plane": plane_of(np.asarray(aff)[:3, 2]), "oblique": is_oblique(np.asarray(aff)), **extra,
    })


def refuse(name: str, files: list[str], words: list[str]) -> None:
    cases.append({"name": name, "files": files, "refuse": words})


# ---------------------------------------------------------------- NIfTI

def bgzf(data: bytes, block=1000) -> bytes:
    """Block gzip (as bgzip / htslib write it): members with an FEXTRA 'BC' field, then an empty end member."""
    out = b""
    for i in range(0, len(data), block):
        chunk = data[i:i + block]
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = c.compress(chunk) + c.flush()
        out += struct.pack("<4BI2BH2BHH", 0x1F, 0x8B, 8, 4, 0, 0, 255, 6, 66, 67, 2, len(body) + 25) + body
        out += struct.pack("<II", zlib.crc32(chunk), len(chunk))
    end = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = end.compress(b"") + end.flush()
    return out + struct.pack("<4BI2BH2BHH", 0x1F, 0x8B, 8, 4, 0, 0, 255, 6, 66, 67, 2, len(body) + 25) + body + struct.pack("<II", 0, 0)


def write_nifti(path: str, hdr, data: np.ndarray, multimember=False) -> None:
    """Header and voxels written as they are: nibabel's save would reset scl_slope/inter for an array."""
    hdr = hdr.copy()
    hdr.set_data_shape(data.shape)
    hdr.set_data_dtype(data.dtype)
    single = path.endswith((".nii", ".nii.gz"))
    body = data.astype(data.dtype.newbyteorder(hdr.endianness)).tobytes(order="F")
    if single:
        hdr.set_data_offset(0)  # write_to puts the voxels after the header and its extensions
        if path.endswith(".gz") and multimember == "bgzf":
            head = io.BytesIO()
            hdr.write_to(head)
            with open(path, "wb") as f:
                f.write(bgzf(head.getvalue() + body))
        elif path.endswith(".gz") and multimember:
            # header and voxels as two gzip members (as block-gzip writers do); gzip readers join them
            head = io.BytesIO()
            hdr.write_to(head)
            with open(path, "wb") as f:
                f.write(gzip.compress(head.getvalue()) + gzip.compress(body))
        else:
            with (gzip.open if path.endswith(".gz") else open)(path, "wb") as f:
                hdr.write_to(f)
                f.write(body)
    else:
        img_path = path[:-4] + ".img"
        with open(path, "wb") as f:
            hdr.write_to(f)
        with open(img_path, "wb") as f:
            f.write(body)


def nifti_case(out: str, name: str, *, dtype="int16", ext=".nii", qform=None, sform=None, qcode=1, scode=2,
               slope=None, inter=0.0, zooms=(0.9, 1.3, 2.5), version=1, endian="<", shape=SHAPE, extension=False,
               multimember=False, nan=False, patch=None) -> None:
    Hdr = nib.Nifti1Header if version == 1 else nib.Nifti2Header
    hdr = Hdr(endianness=endian)
    data = stored(dtype, shape)
    if nan:  # statistical maps mark voxels outside the brain NaN (and the odd infinity)
        data[0, 0, 0], data[4, 2, 1], data[6, 4, 0] = np.nan, np.nan, -np.inf
    hdr.set_data_shape(data.shape)
    hdr.set_zooms(tuple(zooms) + ((1.0,) * (len(shape) - 3)))
    hdr.set_xyzt_units("mm", "sec")
    if qform is not None:
        hdr.set_qform(qform, code=qcode)
    else:
        hdr.set_qform(None, code=0)
    if sform is not None:
        hdr.set_sform(sform, code=scode)
    else:
        hdr.set_sform(None, code=0)
    if qform is None and sform is None:
        hdr["pixdim"][1:4] = zooms
    if slope is not None:
        hdr["scl_slope"] = slope
        hdr["scl_inter"] = inter
    if extension:
        hdr.extensions.append(nib.nifti1.Nifti1Extension("comment", b"written by volume_matrix.py for the reader test"))
    path = os.path.join(out, name + ext)
    write_nifti(path, hdr, data, multimember)
    if patch:  # header fields as some writers leave them (nibabel's loader fixes them; so must we)
        with open(path, "r+b") as f:
            for off, fmt, value in patch:
                f.seek(off)
                f.write(struct.pack("<" + fmt, value))
    img = nib.load(path)
    ref = np.asanyarray(img.get_fdata(dtype=np.float64))
    spacing = [float(z) for z in img.header.get_zooms()[:3]]
    add(name + ext, [name + ext], img.affine, ref, spacing, reference="nibabel")


def nifti_cases(out: str) -> None:
    ras = affine(np.eye(3), (0.9, 1.3, 2.5), (-10, 20, -30))
    las = affine(np.diag([-1, 1, 1]), (0.9, 1.3, 2.5), (12, -8, 5))
    lps = affine(np.diag([-1, -1, 1]), (0.9, 1.3, 2.5), (3, 4, 5))
    obl = affine(rot("z", 20) @ rot("x", -15), (0.9, 1.3, 2.5), (1, 2, 3))
    # sagittal / coronal acquisitions stored as such (slice axis along R / A)
    sag = affine(np.array([[0, 0, -1], [1, 0, 0], [0, 1, 0]]), (0.9, 1.3, 2.5), (40, -20, -10))
    cor = affine(np.array([[-1, 0, 0], [0, 0, 1], [0, -1, 0]]), (0.9, 1.3, 2.5), (40, -20, 60))
    for dt in ["uint8", "int8", "int16", "uint16", "int32", "uint32", "int64", "float32", "float64"]:
        nifti_case(out, f"nifti-{dt}-sform-ras", dtype=dt, sform=ras, qform=ras)
    nifti_case(out, "nifti-int16-scaled", dtype="int16", sform=ras, slope=0.5, inter=-100.0)
    nifti_case(out, "nifti-uint8-scaled", dtype="uint8", sform=las, slope=2.0, inter=1.5, ext=".nii.gz")
    nifti_case(out, "nifti-uint16-slope0", dtype="uint16", sform=ras, slope=0.0, inter=5.0)
    nifti_case(out, "nifti-int16-slope-nan", dtype="int16", sform=ras, slope=float("nan"), inter=5.0)
    nifti_case(out, "nifti-int8-scaled", dtype="int8", qform=obl, slope=0.25, inter=10.0)
    nifti_case(out, "nifti-float32-scaled", dtype="float32", sform=lps, slope=2.0, inter=-0.5)
    nifti_case(out, "nifti-qform-only-las", qform=las)
    nifti_case(out, "nifti-qform-only-lps", qform=lps, ext=".nii.gz")
    nifti_case(out, "nifti-qform-only-oblique", qform=obl)
    nifti_case(out, "nifti-sform-only-oblique", sform=obl)
    nifti_case(out, "nifti-sform-only-sagittal", sform=sag)
    nifti_case(out, "nifti-qform-only-coronal", qform=cor)
    nifti_case(out, "nifti-qform-sagittal", qform=sag, ext=".nii.gz")
    # both set and different: the sform wins (nibabel get_best_affine, NIfTI-1 standard's method 3)
    nifti_case(out, "nifti-both-differ", qform=las, sform=obl)
    nifti_case(out, "nifti-sform-code-1", qform=ras, sform=lps, scode=1, qcode=2)
    nifti_case(out, "nifti-no-orientation", zooms=(0.9, 1.3, 2.5))
    nifti_case(out, "nifti-big-endian", dtype="int16", sform=obl, qform=obl, endian=">")
    nifti_case(out, "nifti-big-endian-scaled", dtype="float32", qform=las, endian=">", slope=3.0, inter=-1.0, ext=".nii.gz")
    nifti_case(out, "nifti2-oblique", dtype="float32", qform=obl, sform=obl, version=2)
    nifti_case(out, "nifti-extension", dtype="int16", sform=las, extension=True)
    for code in AXCODES:
        nifti_case(out, f"nifti-{code}", sform=affine(axcodes(code), (0.9, 1.3, 2.5), (7, -3, 11)))
    # colour (RGB24, e.g. a DTI colour-FA map): red holds the values; green and blue vary differently
    rgb = np.zeros(SHAPE, dtype=[("R", "u1"), ("G", "u1"), ("B", "u1")])
    rgb["R"], rgb["G"], rgb["B"] = stored("uint8"), 255 - stored("uint8"), 7
    hdr = nib.Nifti1Header()
    hdr.set_data_dtype(rgb.dtype)
    hdr.set_sform(las, code=2)
    hdr.set_qform(las, code=1)
    write_nifti(os.path.join(out, "nifti-rgb24.nii"), hdr, rgb)
    img = nib.load(os.path.join(out, "nifti-rgb24.nii"))
    add("nifti-rgb24.nii", ["nifti-rgb24.nii"], img.affine, np.asanyarray(img.dataobj)["R"], img.header.get_zooms()[:3], reference="nibabel", channels=3)
    # qfac (pixdim[0]) 0 is read as 1; negative pixdim[1..3] as their absolute values (nibabel, nifti1_io)
    nifti_case(out, "nifti-qfac-zero", qform=ras, patch=[(76, "f", 0.0)])
    nifti_case(out, "nifti-negative-pixdim", qform=las, patch=[(80, "f", -0.9), (88, "f", -2.5)])
    nifti_case(out, "nifti-float32-nan", dtype="float32", sform=ras, nan=True)
    nifti_case(out, "nifti-gzip-two-members", sform=las, ext=".nii.gz", multimember=True)
    nifti_case(out, "nifti-bgzf", sform=obl, ext=".nii.gz", multimember="bgzf")
    nifti_case(out, "nifti2-big-endian", dtype="float64", qform=las, version=2, endian=">", ext=".nii.gz")
    shear = ras.copy()
    shear[0, 1] = 0.4  # a sheared sform (not representable as a qform)
    nifti_case(out, "nifti-sform-sheared", sform=shear, qform=ras)
    nifti_case(out, "nifti-4d", dtype="int16", qform=las, sform=las, shape=SHAPE + (3,), ext=".nii.gz")
    # header + image pair: the app opens single files only and must say so
    hdr = nib.Nifti1Header()
    hdr["magic"] = b"ni1"
    hdr.set_sform(ras, code=2)
    write_nifti(os.path.join(out, "pair.hdr"), hdr, stored("int16"))
    nib.load(os.path.join(out, "pair.hdr"))  # a valid pair for nibabel
    refuse("nifti-pair.hdr", ["pair.hdr"], [".hdr", ".img", ".nii"])
    refuse("nifti-pair.img", ["pair.img"], [".hdr", ".img", ".nii"])
    # ANALYZE 7.5 (no orientation recorded): refused, saying to convert to NIfTI
    nib.save(nib.AnalyzeImage(stored("int16"), np.diag([0.9, 1.3, 2.5, 1])), os.path.join(out, "analyze.hdr"))
    refuse("analyze.hdr", ["analyze.hdr"], ["analyze", "nifti", ".nii"])


# ---------------------------------------------------------------- NRRD

NRRD_TYPES = {"int64": "int64", "uint64": "unsigned long long", "uint8": "uchar", "int16": "short", "uint16": "ushort", "int32": "int", "float32": "float", "float64": "double"}
SPACE_TO_RAS = {"left-posterior-superior": [-1, -1, 1], "right-anterior-superior": [1, 1, 1], "left-anterior-superior": [-1, 1, 1],
                "LPS": [-1, -1, 1], "RAS": [1, 1, 1], "LAS": [-1, 1, 1],
                # no anatomical meaning: read as LPS, as ITK's NrrdImageIO (so 3D Slicer) does
                "scanner-xyz": [-1, -1, 1], "3D-right-handed": [-1, -1, 1]}


def nrrd_case(out: str, name: str, *, dtype="int16", space="left-posterior-superior", dirs=None, origin=(5, -6, 7),
              encoding="raw", endian="little", shape=SHAPE, junk=b"") -> None:
    data = stored(dtype, shape)
    time = len(shape) == 4
    dirs = np.asarray(dirs if dirs is not None else np.diag([0.9, 1.3, 2.5]), float)  # columns = axis directions
    fmt = lambda v: "(" + ",".join(repr(float(x)) for x in v) + ")"  # noqa: E731
    lines = ["NRRD0004", "# written by volume_matrix.py", f"type: {NRRD_TYPES[dtype]}", f"dimension: {len(shape)}"]
    lines += [f"space: {space}", f"sizes: {' '.join(map(str, data.shape))}",
              "space directions: " + " ".join(fmt(dirs[:, i]) for i in range(3)) + (" none" if time else ""),
              "kinds: domain domain domain" + (" list" if time else ""), f"space origin: {fmt(origin)}"]
    lines += [f"endian: {endian}", f"encoding: {encoding}"] + (["byte skip: -1"] if junk else [])
    raw = data.astype(data.dtype.newbyteorder("<" if endian == "little" else ">")).tobytes(order="F")
    body = gzip.compress(raw) if encoding == "gzip" else raw
    path = os.path.join(out, name + ".nrrd")
    with open(path, "wb") as f:
        f.write(("\n".join(lines) + "\n\n").encode() + junk + body)
    # NRRD spec: world = origin + sum idx_i * dir_i, in `space`; to RAS by the space's signs
    s = np.diag(SPACE_TO_RAS[space] + [1])
    aff = s @ affine(dirs / np.linalg.norm(dirs, axis=0), np.linalg.norm(dirs, axis=0), origin)
    add(name + ".nrrd", [name + ".nrrd"], aff, data, np.linalg.norm(dirs, axis=0), reference="NRRD specification")


def nrrd_cases(out: str) -> None:
    nrrd_case(out, "nrrd-int16-lps-raw")
    nrrd_case(out, "nrrd-int16-lps-gzip", encoding="gzip")
    nrrd_case(out, "nrrd-int16-big-endian", endian="big")
    nrrd_case(out, "nrrd-int16-big-endian-gzip", endian="big", encoding="gzip")
    nrrd_case(out, "nrrd-float32-ras", dtype="float32", space="right-anterior-superior")
    nrrd_case(out, "nrrd-uint16-las", dtype="uint16", space="left-anterior-superior")
    nrrd_case(out, "nrrd-uint8-ras-short", dtype="uint8", space="RAS")
    nrrd_case(out, "nrrd-negative-axis", dirs=np.diag([0.9, -1.3, 2.5]))
    nrrd_case(out, "nrrd-negative-slice-axis", dtype="float64", dirs=np.diag([-0.9, 1.3, -2.5]), space="right-anterior-superior")
    nrrd_case(out, "nrrd-oblique", dtype="int32", dirs=rot("y", 25) @ np.diag([0.9, 1.3, 2.5]), encoding="gzip")
    nrrd_case(out, "nrrd-sagittal", dirs=np.array([[0, 0, 2.5], [0.9, 0, 0], [0, -1.3, 0]]))
    for code in AXCODES[:4]:  # LPS space: RAS directions with R and A negated
        nrrd_case(out, f"nrrd-{code}", dirs=np.diag([-1, -1, 1]) @ axcodes(code) @ np.diag([0.9, 1.3, 2.5]))
    nrrd_case(out, "nrrd-int64-gzip", dtype="int64", encoding="gzip")  # numpy's default integer, as pynrrd writes it
    nrrd_case(out, "nrrd-uint64-big-endian", dtype="uint64", endian="big")
    nrrd_case(out, "nrrd-byte-skip-minus-1", junk=b"\x00\x01junk before the voxels")  # spec: the data is the file's last bytes
    # colour: an RGB axis first (kinds RGB-color, no space direction); the red channel holds the values
    rgbv = np.stack([stored("uint8"), 255 - stored("uint8"), np.full(SHAPE, 9, np.uint8)], axis=0)
    d3 = np.diag([-0.9, 1.3, 2.5])
    with open(os.path.join(out, "nrrd-rgb.nrrd"), "wb") as f:
        f.write(b"NRRD0004\ntype: uchar\ndimension: 4\nspace: left-posterior-superior\nsizes: 3 7 5 4\n"
                b"space directions: none (-0.9,0,0) (0,1.3,0) (0,0,2.5)\nkinds: RGB-color domain domain domain\n"
                b"encoding: gzip\nspace origin: (1,2,3)\n\n" + gzip.compress(rgbv.tobytes(order="F")))
    add("nrrd-rgb.nrrd", ["nrrd-rgb.nrrd"], LPS_TO_RAS @ affine(np.sign(d3), (0.9, 1.3, 2.5), (1, 2, 3)), rgbv[0], (0.9, 1.3, 2.5),
        reference="NRRD specification", channels=3)
    nrrd_case(out, "nrrd-scanner-xyz", space="scanner-xyz", dirs=np.diag([0.9, 1.3, -2.5]))
    with open(os.path.join(out, "detached.nhdr"), "w") as f:
        f.write("NRRD0004\ntype: short\ndimension: 3\nsizes: 7 5 4\nencoding: raw\ndata file: detached.raw\n\n")
    with open(os.path.join(out, "detached.raw"), "wb") as f:
        f.write(stored("int16").tobytes(order="F"))
    refuse("nrrd-detached.nhdr", ["detached.nhdr"], ["separate data file", ".nrrd"])
    # DWI as 3D Slicer writes it: the gradient axis first (kinds list, no space direction); shown as 6 volumes
    dwi = stored("int16", SHAPE + (6,))
    with open(os.path.join(out, "nrrd-dwi-list-first.nrrd"), "wb") as f:
        f.write(b"NRRD0005\ntype: short\ndimension: 4\nspace: left-posterior-superior\nsizes: 6 7 5 4\n"
                b"space directions: none (0,0.9,0) (-1.3,0,0) (0,0,2.5)\nkinds: list domain domain domain\n"
                b"endian: little\nencoding: raw\nspace origin: (1,2,3)\n\n" + np.moveaxis(dwi, 3, 0).astype("<i2").tobytes(order="F"))
    add("nrrd-dwi-list-first.nrrd", ["nrrd-dwi-list-first.nrrd"], LPS_TO_RAS @ affine(np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1]]), (0.9, 1.3, 2.5), (1, 2, 3)),
        dwi, (0.9, 1.3, 2.5), reference="NRRD specification")
    with open(os.path.join(out, "list-middle.nrrd"), "wb") as f:
        f.write(b"NRRD0005\ntype: short\ndimension: 4\nspace: left-posterior-superior\nsizes: 7 6 5 4\n"
                b"space directions: (0.9,0,0) none (0,1.3,0) (0,0,2.5)\nkinds: domain list domain domain\n"
                b"endian: little\nencoding: raw\n\n" + np.zeros(6 * 140, "<i2").tobytes())
    refuse("nrrd-list-middle.nrrd", ["list-middle.nrrd"], ["not spatial", "axis 2"])
    nrrd_case(out, "nrrd-4d-time", space="right-anterior-superior", shape=SHAPE + (3,), encoding="gzip")


# ---------------------------------------------------------------- MetaImage

MET_TYPES = {"int64": "MET_LONG_LONG", "uint64": "MET_ULONG_LONG", "int8": "MET_CHAR", "uint8": "MET_UCHAR", "int16": "MET_SHORT", "uint16": "MET_USHORT", "int32": "MET_INT", "float32": "MET_FLOAT", "float64": "MET_DOUBLE"}


def mha_case(out: str, name: str, *, dtype="int16", dirs=np.eye(3), zooms=(0.9, 1.3, 2.5), origin=(5, -6, 7),
             key="TransformMatrix", origin_key="Offset", compressed=False, msb=False, matrix=True, shape=SHAPE, ext=".mha") -> None:
    data = stored(dtype, shape)
    nd = len(shape)
    dirs = np.asarray(dirs, float)  # columns = LPS directions of the voxel axes
    full = np.eye(nd)
    full[:3, :3] = dirs
    # ITK MetaImageIO: TransformMatrix[i*N + j] = component j of axis i's direction (N x N for N-D)
    tm = " ".join(repr(float(full[j, i])) for i in range(nd) for j in range(nd))
    zooms = tuple(zooms) + (1.0,) * (nd - 3)
    origin = tuple(origin) + (0.0,) * (nd - 3)
    raw = data.astype(data.dtype.newbyteorder(">" if msb else "<")).tobytes(order="F")
    body = zlib.compress(raw) if compressed else raw
    lines = ["ObjectType = Image", f"NDims = {nd}", "BinaryData = True", f"BinaryDataByteOrderMSB = {msb}", f"CompressedData = {compressed}"]
    if compressed:
        lines.append(f"CompressedDataSize = {len(body)}")
    if matrix:
        lines.append(f"{key} = {tm}")
    lines += [f"{origin_key} = {' '.join(repr(float(v)) for v in origin)}", "CenterOfRotation = 0 0 0", "AnatomicalOrientation = RAI",
              f"ElementSpacing = {' '.join(repr(float(z)) for z in zooms)}", f"DimSize = {' '.join(map(str, data.shape))}",
              f"ElementType = {MET_TYPES[dtype]}", "ElementDataFile = LOCAL"]
    path = os.path.join(out, name + ext)
    with open(path, "wb") as f:
        f.write(("\n".join(lines) + "\n").encode() + body)
    aff = LPS_TO_RAS @ affine(dirs, zooms[:3], origin[:3])
    add(name + ext, [name + ext], aff, data, zooms[:3], reference="MetaImage (ITK MetaImageIO conventions)")


def mha_cases(out: str) -> None:
    mha_case(out, "mha-short-identity")
    mha_case(out, "mha-float-compressed", dtype="float32", compressed=True)
    mha_case(out, "mha-uchar-orientation-key", dtype="uint8", key="Orientation", origin_key="Position")
    mha_case(out, "mha-ushort-rotation-key-msb", dtype="uint16", key="Rotation", msb=True, origin_key="Origin")
    mha_case(out, "mha-short-oblique", dirs=rot("x", 30) @ rot("z", -10))
    mha_case(out, "mha-short-flipped", dirs=np.diag([-1, 1, -1]), compressed=True)
    mha_case(out, "mha-sagittal", dtype="int32", dirs=np.array([[0, 0, 1], [1, 0, 0], [0, -1, 0]]))
    mha_case(out, "mha-no-matrix", matrix=False)  # MetaIO's default: identity (LPS)
    for code in AXCODES[4:]:
        mha_case(out, f"mha-{code}", dirs=np.diag([-1, -1, 1]) @ axcodes(code))
    mha_case(out, "mha-long-long", dtype="int64", msb=True)
    mha_case(out, "mha-ulong-long", dtype="uint64", compressed=True)
    mha_case(out, "mha-4d", dirs=rot("z", 90), shape=SHAPE + (3,), compressed=True)
    mha_case(out, "mha-char", dtype="int8", dirs=np.diag([1, -1, -1]))
    mha_case(out, "mha-double-mhd-local", dtype="float64", ext=".mhd")
    with open(os.path.join(out, "split.mhd"), "w") as f:
        f.write("ObjectType = Image\nNDims = 3\nDimSize = 7 5 4\nElementType = MET_SHORT\nElementDataFile = split.raw\n")
    with open(os.path.join(out, "split.raw"), "wb") as f:
        f.write(stored("int16").tobytes(order="F"))
    refuse("mha-split.mhd", ["split.mhd"], [".mhd", ".mha"])


# ---------------------------------------------------------------- DICOM

def dicom_series(out: str, name: str, *, iop, first=(-40.0, 30.0, 12.5), ps=(0.8, 0.6), gap=2.5, slope=1.0, inter=0.0,
                 photometric="MONOCHROME2", bits_stored=16, signed=True, modality="CT", transfer=ExplicitVRLittleEndian,
                 enhanced=False, bits=16, compress=None, tilt=0.0, per_slice=False, high_bits=0, raw_dataset=False, mlut=False) -> None:
    """A 7-column x 5-row x 4-slice series; files in shuffled order with InstanceNumber unrelated to position."""
    rng = random.Random(name)
    cols, rows, n = SHAPE
    iop = [float(v) for v in iop]
    rdir, cdir = np.array(iop[:3]), np.array(iop[3:])
    normal = np.cross(rdir, cdir)
    vals = stored(("int" if signed else "uint") + str(bits))
    if bits_stored == 12:
        vals = (base_values() * (3 if signed else 9) - (400 if signed else 0)).astype(vals.dtype)  # fits 12 bits
        vals[MARKER] = 2047 if signed else 4095
    study, series, frame_of_ref = generate_uid(), generate_uid(), generate_uid()
    # slice k of the intended volume lies at first + k * gap * normal; files written in a random order
    order = list(range(n))
    rng.shuffle(order)
    numbers = list(range(1, n + 1))
    rng.shuffle(numbers)
    datasets = []
    for fi, k in enumerate(order):
        ds = Dataset()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2" if modality == "CT" else "1.2.840.10008.5.1.4.1.1.4"
        ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.file_meta.TransferSyntaxUID = transfer
        ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame_of_ref
        ds.PatientName, ds.PatientID, ds.Modality = "Matrix^Test", "VM-1", modality
        ds.StudyDate, ds.StudyTime, ds.AccessionNumber, ds.ReferringPhysicianName = "20260101", "120000", "", ""
        ds.SeriesNumber, ds.InstanceNumber, ds.StudyID = 1, numbers[fi], "1"
        ds.PatientBirthDate, ds.PatientSex, ds.Manufacturer = "", "O", "matrix"
        ds.SeriesDescription = name
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.ImageOrientationPatient = [f"{v:.6f}" for v in iop]
        # tilt: a gantry-tilted CT, each slice also shifted along the columns (positions not along the normal)
        ds.ImagePositionPatient = [f"{v:.4f}" for v in (np.array(first) + k * gap * normal + k * tilt * cdir)]
        ds.PixelSpacing = [f"{ps[0]}", f"{ps[1]}"]
        ds.SliceThickness = f"{gap}"
        ds.Rows, ds.Columns = rows, cols
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, photometric
        bits_stored = min(bits_stored, bits)
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = bits, bits_stored, bits_stored - 1, 1 if signed else 0
        if mlut:
            # a Modality LUT instead of rescale (older CR/XA): 4096 entries, monotonic, 16-bit
            item = Dataset()
            item.LUTDescriptor = [4096, 0, 16]
            item.ModalityLUTType = "OD"
            item.add_new(0x00283006, "US", [int(i * 1.5 + i * i / 1000) for i in range(4096)])  # LUTData
            ds.ModalityLUTSequence = [item]
        else:
            ds.RescaleSlope, ds.RescaleIntercept = (f"{slope}", f"{inter}") if not per_slice else (f"{0.001 * (k + 1):.4f}", f"{k}")
        if modality == "CT" and not mlut:
            ds.RescaleType = "HU"
            ds.KVP, ds.AcquisitionNumber = "120", 1
        ds.ContentDate, ds.ContentTime = "20260101", "120000"
        frame = vals[:, :, k].T  # rows x columns
        raw = frame.astype(np.int64)
        if bits_stored < 16:
            raw = raw & ((1 << bits_stored) - 1)  # stored bits only (two's complement in 12 bits)
            if high_bits:
                raw = raw | high_bits  # unused high bits set (old overlays in pixel data): readers mask them
        big = transfer == ExplicitVRBigEndian
        ds.PixelData = raw.astype(("<" if not big else ">") + ("u1" if bits == 8 else "u2" if bits == 16 else "u4")).tobytes()
        if compress:
            ds.compress(compress, encoding_plugin="pyjpegls" if compress == JPEGLSLossless else "")
        path = f"{name}-{fi:02d}.dcm"
        if raw_dataset:
            # no preamble, no 'DICM', no file meta (as some PACS exports and old archives store instances)
            ds.preamble = None
            del ds.file_meta
            ds.save_as(os.path.join(out, path), implicit_vr=True, little_endian=True)
        else:
            ds.save_as(os.path.join(out, path), enforce_file_format=True)
        datasets.append((path, ds))
    # reference: pydicom reads every file back; slices sorted along the normal of the files' own IOP
    read = [(p, pydicom.dcmread(os.path.join(out, p), force=raw_dataset)) for p, _ in datasets]
    for _, d in read:
        if raw_dataset:  # a bare dataset is implicit VR little endian (PS3.5 A.1); pydicom needs to be told
            d.file_meta = FileMetaDataset()
            d.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    iop_r = np.array([float(v) for v in read[0][1].ImageOrientationPatient])
    nrm = np.cross(iop_r[:3], iop_r[3:])
    read.sort(key=lambda pd: float(np.dot([float(v) for v in pd[1].ImagePositionPatient], nrm)))
    pos = np.array([[float(v) for v in d.ImagePositionPatient] for _, d in read])
    vol = np.stack([np.asarray(apply_modality_lut(d.pixel_array, d), dtype=np.float64).T for _, d in read], axis=2)
    psr = [float(v) for v in read[0][1].PixelSpacing]  # [row spacing, column spacing]
    lps = np.eye(4)
    lps[:3, 0] = iop_r[:3] * psr[1]
    lps[:3, 1] = iop_r[3:] * psr[0]
    lps[:3, 2] = (pos[-1] - pos[0]) / (len(pos) - 1)
    lps[:3, 3] = pos[0]
    aff = LPS_TO_RAS @ lps
    extra = {"photometric": photometric, "reference": "pydicom"}
    # slice spacing: the distance between the slice planes (the step along the normal; for a gantry tilt the
    # step between positions is longer, and a voxel's volume is column x row x plane distance)
    spacing = [psr[1], psr[0], abs(float(np.dot(lps[:3, 2], nrm / np.linalg.norm(nrm))))]
    add(name, [p for p, _ in datasets], aff, vol, spacing, **extra)
    if enhanced:
        from highdicom.legacy import LegacyConvertedEnhancedCTImage

        mf = LegacyConvertedEnhancedCTImage([d for _, d in read][::-1], series_instance_uid=generate_uid(), series_number=2,
                                            sop_instance_uid=generate_uid(), instance_number=1)
        mf.save_as(os.path.join(out, f"{name}-enhanced.dcm"))
        pydicom.dcmread(os.path.join(out, f"{name}-enhanced.dcm"))
        add(f"{name}-enhanced", [f"{name}-enhanced.dcm"], aff, vol, spacing, **extra)
        if modality == "CT":
            mixed_orientation_enhanced(out, name, mf)
            # one single-frame enhanced file per slice (as some scanners export), one series: one volume
            uid, files = generate_uid(), []
            for i, (p, d) in enumerate(read[::-1]):
                one = LegacyConvertedEnhancedCTImage([d], series_instance_uid=uid, series_number=3, sop_instance_uid=generate_uid(), instance_number=i + 1)
                files.append(f"{name}-enhanced-per-slice-{i}.dcm")
                one.save_as(os.path.join(out, files[-1]))
            add(f"{name}-enhanced-per-slice", files, aff, vol, spacing, **extra)


def frames_reference(ds, frames: list[int]):
    """RAS affine, volume and spacing of some frames of an enhanced file (per PS3.3 C.7.6.2.1.1), sorted along the normal."""
    pf, sh = ds.PerFrameFunctionalGroupsSequence, ds.SharedFunctionalGroupsSequence[0]
    def iop_of(f):
        g = pf[f] if "PlaneOrientationSequence" in pf[f] else sh
        return np.array([float(v) for v in g.PlaneOrientationSequence[0].ImageOrientationPatient])
    iop = iop_of(frames[0])
    nrm = np.cross(iop[:3], iop[3:])
    pos = {f: np.array([float(v) for v in pf[f].PlanePositionSequence[0].ImagePositionPatient]) for f in frames}
    frames = sorted(frames, key=lambda f: float(np.dot(pos[f], nrm)))
    pvt = sh.PixelValueTransformationSequence[0]  # enhanced files keep the rescale in the functional groups
    px = ds.pixel_array.astype(np.float64) * float(pvt.RescaleSlope) + float(pvt.RescaleIntercept)
    vol = np.stack([px[f].T for f in frames], axis=2)
    ps = [float(v) for v in sh.PixelMeasuresSequence[0].PixelSpacing]
    lps = np.eye(4)
    lps[:3, 0], lps[:3, 1] = iop[:3] * ps[1], iop[3:] * ps[0]
    lps[:3, 2] = (pos[frames[-1]] - pos[frames[0]]) / (len(frames) - 1)
    lps[:3, 3] = pos[frames[0]]
    return LPS_TO_RAS @ lps, vol, [ps[1], ps[0], abs(float(np.dot(lps[:3, 2], nrm)))]


def mixed_orientation_enhanced(out: str, name: str, mf) -> None:
    """The enhanced CT with its first two frames turned sagittal (as a 3-plane localiser mixes planes in one file)."""
    ds = pydicom.dcmread(os.path.join(out, f"{name}-enhanced.dcm"))
    sh, pf = ds.SharedFunctionalGroupsSequence[0], ds.PerFrameFunctionalGroupsSequence
    axial = sh.PlaneOrientationSequence
    del sh.PlaneOrientationSequence
    for f, g in enumerate(pf):
        item = Dataset()
        item.ImageOrientationPatient = ["0", "1", "0", "0", "0", "-1"] if f < 2 else list(axial[0].ImageOrientationPatient)
        g.PlaneOrientationSequence = [item]
        if f < 2:
            g.PlanePositionSequence[0].ImagePositionPatient = [f"{-10 + 3 * f}", "-20", "40"]
    path = f"{name}-enhanced-two-planes.dcm"
    ds.save_as(os.path.join(out, path))
    parts = []
    for frames in ([2, 3], [0, 1]):
        aff, vol, spacing = frames_reference(pydicom.dcmread(os.path.join(out, path)), frames)
        add("part", [path], aff, vol, spacing, reference="pydicom")
        parts.append(cases.pop())
    cases.append({"name": path, "files": [path], "parts": parts, "problem": ["orientation"]})


def dicom_cases(out: str) -> None:
    ax = [1, 0, 0, 0, 1, 0]
    sag = [0, 1, 0, 0, 0, -1]
    cor = [1, 0, 0, 0, 0, -1]
    dicom_series(out, "dicom-axial", iop=ax, slope=1, inter=-1024, enhanced=True)
    dicom_series(out, "dicom-axial-feet-first", iop=ax, gap=-3.0, ps=(0.7, 0.7))
    dicom_series(out, "dicom-sagittal", iop=sag, modality="MR", ps=(1.1, 0.9))
    dicom_series(out, "dicom-coronal", iop=cor, modality="MR", gap=1.5, transfer=ImplicitVRLittleEndian)
    dicom_series(out, "dicom-oblique", iop=list(rot("x", 20)[:, 0]) + list(rot("x", 20)[:, 1]), slope=2.5, inter=-10)
    dicom_series(out, "dicom-monochrome1", iop=ax, photometric="MONOCHROME1", signed=False, modality="MR")
    dicom_series(out, "dicom-12bit-signed", iop=cor, bits_stored=12, slope=0.5, inter=3)
    dicom_series(out, "dicom-uint16", iop=sag, signed=False, modality="MR", slope=1, inter=0)
    # other row/column directions (LPS): prone / feet-first axials, coronal and sagittal seen from the other side
    dicom_series(out, "dicom-axial-flipped", iop=[-1, 0, 0, 0, -1, 0])
    dicom_series(out, "dicom-axial-transposed", iop=[0, 1, 0, 1, 0, 0])
    dicom_series(out, "dicom-coronal-flipped", iop=[-1, 0, 0, 0, 0, 1], gap=-2.0)
    dicom_series(out, "dicom-sagittal-flipped", iop=[0, -1, 0, 0, 0, -1])
    dicom_series(out, "dicom-sagittal-transposed", iop=[0, 0, -1, 0, 1, 0])
    dicom_series(out, "dicom-12bit-unsigned-high-bits", iop=ax, bits_stored=12, signed=False, high_bits=0xF000, modality="MR")
    dicom_series(out, "dicom-12bit-signed-high-bits", iop=sag, bits_stored=12, high_bits=0x5000)
    dicom_series(out, "dicom-no-preamble", iop=cor, transfer=ImplicitVRLittleEndian, raw_dataset=True)
    dicom_series(out, "dicom-modality-lut", iop=cor, bits_stored=12, signed=False, mlut=True, modality="OT")
    dicom_series(out, "dicom-pet-slope-per-slice", iop=ax, modality="PT", signed=False, per_slice=True)
    dicom_series(out, "dicom-uint8", iop=cor, signed=False, bits=8, modality="MR")
    dicom_series(out, "dicom-int32", iop=ax, bits=32, bits_stored=32, modality="MR")
    dicom_series(out, "dicom-big-endian", iop=sag, transfer=ExplicitVRBigEndian, slope=2, inter=-5)
    dicom_series(out, "dicom-deflated", iop=cor, transfer=DeflatedExplicitVRLittleEndian)
    dicom_series(out, "dicom-rle-signed", iop=ax, compress=RLELossless, slope=1, inter=-1024)
    dicom_series(out, "dicom-jpegls-signed", iop=sag, compress=JPEGLSLossless)
    dicom_series(out, "dicom-jpegls-12bit-signed", iop=ax, compress=JPEGLSLossless, bits_stored=12)
    dicom_series(out, "dicom-gantry-tilt", iop=ax, tilt=0.9, gap=2.0)


def main() -> None:
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    nifti_cases(out)
    nrrd_cases(out)
    mha_cases(out)
    dicom_cases(out)
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"marker": MARKER, "cases": cases}, f)


if __name__ == "__main__":
    main()
