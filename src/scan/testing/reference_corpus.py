"""The reference libraries' own test files, with what the libraries read from them.

    python src/scan/testing/reference_corpus.py OUT_DIR

For src/scan/volume/reference.test.ts: the NIfTI / ANALYZE / MGH files shipped in nibabel's tests/data and the
DICOM files shipped in pydicom's data/test_files (written by many tools: dcmtk, gdcm, scanners, TPS) are files
we did not make. For each one the library decodes, OUT_DIR/<n>.bin holds its values (float64, little-endian,
in the app's order: NIfTI x fastest then y, z, t; DICOM frame, row, column, sample), after nibabel's scaling or
pydicom's Modality LUT / rescale, colour converted to RGB; corpus.json lists file, shape, affine (RAS, NIfTI;
DICOM: from ImagePositionPatient / ImageOrientationPatient / PixelSpacing of the first frame), whether the
encoding is lossy, or the words a refusal must contain.
"""

from __future__ import annotations

import glob
import json
import os
import sys
import warnings

import nibabel as nib
import numpy as np
import pydicom
from pydicom.pixels import apply_modality_lut

LOSSY = {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.91"}


def nibabel_files(out: str, entries: list) -> None:
    data = os.path.join(os.path.dirname(nib.__file__), "tests", "data")
    for path in sorted(glob.glob(os.path.join(data, "*.nii")) + glob.glob(os.path.join(data, "*.nii.gz"))):
        img = nib.load(path)
        if not isinstance(img, (nib.Nifti1Image, nib.Nifti2Image)):
            continue
        if int(img.header["intent_code"]) >= 3000:  # CIFTI matrices are not images
            continue
        v = np.asanyarray(img.get_fdata(dtype=np.float64))
        n = len(entries)
        v.ravel(order="F").astype("<f8").tofile(os.path.join(out, f"{n}.bin"))
        entries.append({"file": path, "kind": "nifti", "shape": list(v.shape), "affine": [float(x) for x in img.affine.ravel()], "lossy": False})
    # kept apart from the app on purpose: each must be refused in words saying what to do
    for name, words in [("analyze.hdr", ["analyze", "nifti"]), ("nifti1.hdr", [".hdr", ".img"]), ("nifti2.hdr", [".hdr", ".img"]),
                        ("test.mgz", ["nifti"])]:
        if os.path.exists(os.path.join(data, name)):
            entries.append({"file": os.path.join(data, name), "kind": "refuse", "refuse": words})


def pydicom_files(out: str, entries: list) -> None:
    data = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")
    for path in sorted(glob.glob(os.path.join(data, "*.dcm"))):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ds = pydicom.dcmread(path)
                if "PixelData" not in ds:
                    continue
                arr = ds.pixel_array
        except Exception:  # noqa: BLE001 - a file pydicom cannot decode has no reference
            continue
        if ds.get("SamplesPerPixel", 1) == 1 and ds.get("PhotometricInterpretation") != "PALETTE COLOR":
            arr = apply_modality_lut(arr, ds)
        elif ds.get("PhotometricInterpretation") == "PALETTE COLOR":
            continue  # pydicom leaves palette indices; the app shows the colours
        v = np.asarray(arr, dtype=np.float64)
        if v.size > 1_000_000:  # keep the references small (the 30-frame colour cine is left out)
            continue
        n = len(entries)
        v.ravel(order="C").astype("<f8").tofile(os.path.join(out, f"{n}.bin"))
        entry = {"file": path, "kind": "dicom", "shape": list(v.shape), "lossy": str(ds.file_meta.get("TransferSyntaxUID", "")) in LOSSY,
                 "frames": int(ds.get("NumberOfFrames", 1) or 1)}
        if "ImagePositionPatient" in ds and "ImageOrientationPatient" in ds and "PixelSpacing" in ds:
            iop = np.array([float(x) for x in ds.ImageOrientationPatient])
            ps = [float(x) for x in ds.PixelSpacing]
            a = np.eye(4)
            a[:3, 0], a[:3, 1], a[:3, 3] = iop[:3] * ps[1], iop[3:] * ps[0], [float(x) for x in ds.ImagePositionPatient]
            a = np.diag([-1.0, -1.0, 1.0, 1.0]) @ a
            entry["affine"] = [float(x) for x in a.ravel()]  # columns 0, 1 and the origin (column 2: the app's own)
        entries.append(entry)


def main() -> None:
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    entries: list = []
    nibabel_files(out, entries)
    pydicom_files(out, entries)
    with open(os.path.join(out, "corpus.json"), "w") as f:
        json.dump(entries, f)


if __name__ == "__main__":
    main()
