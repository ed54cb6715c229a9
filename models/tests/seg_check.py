"""Independent check of a multi-frame DICOM SEG written by the app, with pydicom and highdicom.

Used by models/tests/test_seg_volume.py and, as a command, by the end-to-end tests on the file the app
downloads (e2e/seg3d.spec.ts, e2e/pacs.spec.ts):

    python models/tests/seg_check.py SEG.dcm EXPECTED.json SOURCE.dcm [SOURCE.dcm ...]

prints the facts it checked as JSON and exits 1 with the failed check on stderr. EXPECTED.json is what
the app says it exported: {"shape": [slices, rows, cols], "mask": base64 of the 0/1 uint8 voxels (slice
order of the app's volume), "sops": [SOP instance UID per slice], "frameNumbers": [source frame number
per slice or null], "algorithmType": "AUTOMATIC" | "SEMIAUTOMATIC", "algorithmName": "...",
"pseudonym": "ANON-..." (optional)}; a SEG of several segments gives "segments": [{"mask", "algorithmType",
"algorithmName", "label", "rgb" (optional, sRGB 0-255 of RecommendedDisplayCIELabValue)}, ...] instead of
the top-level mask and algorithm fields, segment numbers 1..n in that order. The source files are read here, on their own, for the slice
order (ImagePositionPatient along the slice normal), positions, spacing, orientation and the UIDs, so the
app's own idea of its series is checked too, not trusted.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import numpy as np
import pydicom

SEG_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.66.4"


class SegCheckError(AssertionError):
    pass


def _ensure(cond: bool, what: str) -> None:
    if not cond:
        raise SegCheckError(what)


def _source_slices(paths: list[Path]) -> dict:
    """The source series as pydicom reads it: one entry per slice (frames of enhanced files included)."""
    slices = []
    series = study = frame_of_ref = None
    iop = spacing = None
    sops = set()
    for p in paths:
        ds = pydicom.dcmread(p, stop_before_pixels=True)
        series = series or ds.SeriesInstanceUID
        study = study or ds.StudyInstanceUID
        frame_of_ref = frame_of_ref or ds.get("FrameOfReferenceUID")
        sops.add(ds.SOPInstanceUID)
        n = int(ds.get("NumberOfFrames", 1) or 1)
        if n > 1 and "PerFrameFunctionalGroupsSequence" in ds:
            shared = ds.SharedFunctionalGroupsSequence[0]
            first = ds.PerFrameFunctionalGroupsSequence[0]

            def group(name):  # a functional group: shared, else the first frame's
                return (shared if name in shared else first)[name][0]

            iop = [float(v) for v in group("PlaneOrientationSequence").ImageOrientationPatient]
            spacing = [float(v) for v in group("PixelMeasuresSequence").PixelSpacing]
            for f, g in enumerate(ds.PerFrameFunctionalGroupsSequence):
                pos = [float(v) for v in g.PlanePositionSequence[0].ImagePositionPatient]
                slices.append({"sop": ds.SOPInstanceUID, "frame": f + 1, "pos": pos})
        else:
            iop = [float(v) for v in ds.ImageOrientationPatient]
            spacing = [float(v) for v in ds.PixelSpacing]
            slices.append({"sop": ds.SOPInstanceUID, "frame": None, "pos": [float(v) for v in ds.ImagePositionPatient]})
    normal = np.cross(iop[:3], iop[3:6])
    slices.sort(key=lambda s: float(np.dot(s["pos"], normal)))
    return {"slices": slices, "series": series, "study": study, "frameOfReference": frame_of_ref,
            "iop": iop, "pixelSpacing": spacing, "sops": sops}


def _segments(expected: dict, shape: tuple[int, int, int]) -> list[dict]:
    """The expected segments, each with its mask as a (slices, rows, cols) uint8 array."""
    segs = expected.get("segments") or [{k: expected.get(k) for k in ("mask", "algorithmType", "algorithmName", "label", "rgb")}]
    return [{**s, "mask": np.frombuffer(base64.b64decode(s["mask"]), dtype=np.uint8).reshape(shape)} for s in segs]


def _lab_to_rgb(lab) -> list[int]:
    """DICOM CIELab (0-65535) -> sRGB 0-255 (D65, as dcmjs and highdicom)."""
    L, a, b = lab[0] * 100.0 / 65535.0, lab[1] * 255.0 / 65535.0 - 128, lab[2] * 255.0 / 65535.0 - 128
    fy = (L + 16) / 116
    fx, fz = fy + a / 500, fy - b / 200

    def inv(t):
        return t ** 3 if t ** 3 > 0.008856 else (t - 16 / 116) / 7.787

    x, y, z = 0.950456 * inv(fx), 1.0 * inv(fy), 1.088754 * inv(fz)
    r = 3.2406 * x - 1.5372 * y - 0.4986 * z
    g = -0.9689 * x + 1.8758 * y + 0.0415 * z
    bl = 0.0557 * x - 0.2040 * y + 1.0570 * z

    def gamma(c):
        c = 1.055 * c ** (1 / 2.4) - 0.055 if c > 0.0031308 else 12.92 * c
        return int(round(min(1.0, max(0.0, c)) * 255))

    return [gamma(r), gamma(g), gamma(bl)]


def check(seg_path: Path, expected: dict, source_paths: list[Path]) -> dict:
    src = _source_slices([Path(p) for p in source_paths])
    n_slices, rows, cols = expected["shape"]
    segs = _segments(expected, (n_slices, rows, cols))
    _ensure(len(src["slices"]) == n_slices, f"the source has {len(src['slices'])} slices, the app's volume {n_slices}")
    # the app's slice order is the geometric one
    for k, s in enumerate(src["slices"]):
        _ensure(expected["sops"][k] == s["sop"] and (expected["frameNumbers"][k] or None) == s["frame"],
                f"slice {k}: the app has {expected['sops'][k]} frame {expected['frameNumbers'][k]}, "
                f"the source sorted by position has {s['sop']} frame {s['frame']}")

    # --- pydicom: the attributes as written
    ds = pydicom.dcmread(seg_path)
    _ensure(ds.SOPClassUID == SEG_SOP_CLASS, "not a Segmentation Storage object")
    _ensure(ds.Modality == "SEG" and ds.SegmentationType == "BINARY", "not a BINARY SEG")
    _ensure(int(ds.BitsAllocated) == 1, "BitsAllocated is not 1")
    _ensure(len(ds.SegmentSequence) == len(segs), f"{len(ds.SegmentSequence)} segments, expected {len(segs)}")
    # frames: segment by segment, one per slice holding that segment's voxels (every slice when none does)
    frame_list = []
    for i, sg in enumerate(segs):
        ne = [k for k in range(n_slices) if sg["mask"][k].any()] or list(range(n_slices))
        sg["nonEmpty"] = ne
        frame_list += [(i + 1, k) for k in ne]
    written = sorted({k for _, k in frame_list})
    _ensure(int(ds.NumberOfFrames) == len(frame_list), f"{ds.NumberOfFrames} frames, expected {len(frame_list)} (one per non-empty slice of each segment)")
    _ensure(ds.StudyInstanceUID == src["study"], "StudyInstanceUID differs from the source")
    _ensure(ds.SeriesInstanceUID != src["series"], "the SEG reuses the source's SeriesInstanceUID")
    _ensure(ds.FrameOfReferenceUID == src["frameOfReference"], "FrameOfReferenceUID differs from the source")
    ref = ds.ReferencedSeriesSequence[0]
    _ensure(ref.SeriesInstanceUID == src["series"], "ReferencedSeriesSequence names another series")
    listed = {r.ReferencedSOPInstanceUID for r in ref.ReferencedInstanceSequence}
    _ensure(listed == src["sops"], f"ReferencedInstanceSequence lists {len(listed)} instances, the source has {len(src['sops'])}")
    shared = ds.SharedFunctionalGroupsSequence[0]
    np.testing.assert_allclose([float(v) for v in shared.PlaneOrientationSequence[0].ImageOrientationPatient], src["iop"], atol=1e-4)
    np.testing.assert_allclose([float(v) for v in shared.PixelMeasuresSequence[0].PixelSpacing], src["pixelSpacing"], atol=1e-4)
    dims = [int(d.DimensionIndexPointer) for d in ds.DimensionIndexSequence]
    _ensure(dims == [0x0062000B, 0x00200032], f"dimension index pointers {dims}")
    for f, (seg_no, k) in enumerate(frame_list):
        g = ds.PerFrameFunctionalGroupsSequence[f]
        s = g.DerivationImageSequence[0].SourceImageSequence[0]
        want = src["slices"][k]
        _ensure(s.ReferencedSOPInstanceUID == want["sop"], f"frame {f + 1} references {s.ReferencedSOPInstanceUID}, slice {k} is {want['sop']}")
        _ensure((int(s.ReferencedFrameNumber) if "ReferencedFrameNumber" in s else None) == want["frame"], f"frame {f + 1}: referenced frame number")
        np.testing.assert_allclose([float(v) for v in g.PlanePositionSequence[0].ImagePositionPatient], want["pos"], atol=1e-3)
        _ensure([int(v) for v in g.FrameContentSequence[0].DimensionIndexValues] == [seg_no, written.index(k) + 1], f"frame {f + 1}: DimensionIndexValues")
        _ensure(int(g.SegmentIdentificationSequence[0].ReferencedSegmentNumber) == seg_no, f"frame {f + 1}: segment number")
    for i, sg in enumerate(segs):
        segment = ds.SegmentSequence[i]
        _ensure(int(segment.SegmentNumber) == i + 1, f"segment {i + 1} is numbered {segment.SegmentNumber}")
        _ensure(segment.SegmentAlgorithmType == sg["algorithmType"], f"segment {i + 1}: SegmentAlgorithmType {segment.SegmentAlgorithmType}, expected {sg['algorithmType']}")
        if sg.get("label"):
            _ensure(segment.SegmentLabel == sg["label"], f"segment {i + 1}: SegmentLabel {segment.SegmentLabel!r}, expected {sg['label']!r}")
        if sg.get("algorithmName"):
            _ensure(segment.SegmentAlgorithmName == sg["algorithmName"], f"segment {i + 1}: SegmentAlgorithmName {segment.SegmentAlgorithmName!r}, expected {sg['algorithmName']!r}")
            algo = segment.SegmentationAlgorithmIdentificationSequence[0]
            _ensure(f"{algo.AlgorithmName}@{algo.AlgorithmVersion}" == sg["algorithmName"], "algorithm identification differs from the segment's algorithm name")
        if sg.get("rgb"):
            got_rgb = _lab_to_rgb([int(v) for v in segment.RecommendedDisplayCIELabValue])
            _ensure(all(abs(a - b) <= 2 for a, b in zip(got_rgb, sg["rgb"])), f"segment {i + 1}: colour {got_rgb}, expected {sg['rgb']}")
    if expected.get("pseudonym"):
        _ensure(str(ds.PatientName) == expected["pseudonym"] and ds.PatientID == expected["pseudonym"], "patient not pseudonymised")
        _ensure(ds.PatientIdentityRemoved == "YES", "PatientIdentityRemoved is not YES")

    # --- highdicom: the SEG as a standard reader understands it, pixels by source reference
    import highdicom as hd

    seg = hd.seg.segread(seg_path)
    numbers = list(range(1, len(segs) + 1))
    for i, sg in enumerate(segs):
        _ensure(seg.get_segment_description(i + 1).algorithm_type.value == sg["algorithmType"], f"highdicom reads another algorithm type for segment {i + 1}")
    multi = src["slices"][0]["frame"] is not None
    if multi:
        sop = src["slices"][0]["sop"]
        frames = [src["slices"][k]["frame"] for k in range(n_slices)]
        px = seg.get_pixels_by_source_frame(sop, source_frame_numbers=frames, segment_numbers=numbers,
                                            assert_missing_frames_are_empty=True)
    else:
        px = seg.get_pixels_by_source_instance([s["sop"] for s in src["slices"]], segment_numbers=numbers,
                                               assert_missing_frames_are_empty=True)
    dices = []
    for i, sg in enumerate(segs):
        mask = sg["mask"] != 0
        got = px[..., i] != 0
        inter = int((got & mask).sum())
        total = int(got.sum() + mask.sum())
        dice = 1.0 if total == 0 else 2 * inter / total
        _ensure(np.array_equal(got, mask), f"segment {i + 1}: highdicom's pixels by source reference differ from the exported mask (Dice {dice:.4f})")
        dices.append(dice)
    first = ds.SegmentSequence[0]
    return {
        "frames": int(ds.NumberOfFrames),
        "nonEmptySlices": segs[0]["nonEmpty"],
        "referencedInstances": len(listed),
        "algorithmType": first.SegmentAlgorithmType,
        "algorithmName": str(first.get("SegmentAlgorithmName", "")),
        "patientName": str(ds.PatientName),
        "voxels": int((segs[0]["mask"] != 0).sum()),
        "highdicomDice": dices[0],
        "segments": [{"number": i + 1, "label": str(ds.SegmentSequence[i].get("SegmentLabel", "")),
                      "algorithmType": ds.SegmentSequence[i].SegmentAlgorithmType,
                      "voxels": int((sg["mask"] != 0).sum()), "highdicomDice": dices[i]} for i, sg in enumerate(segs)],
    }


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        facts = check(Path(argv[0]), json.loads(Path(argv[1]).read_text()), [Path(p) for p in argv[2:]])
    except (SegCheckError, AssertionError) as e:
        print(f"SEG check failed: {e}", file=sys.stderr)
        return 1
    print(json.dumps(facts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
