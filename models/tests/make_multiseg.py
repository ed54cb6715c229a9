"""An independent multi-segment DICOM SEG of a real series, made with highdicom (not the app's writer), for
the e2e round trip (e2e/volume-export.spec.ts): three segments with labels and display colours
(RecommendedDisplayCIELabValue), MANUAL and SEMIAUTOMATIC, on the slices of the source series.

    python models/tests/make_multiseg.py OUT.dcm SOURCE.dcm [SOURCE.dcm ...]

writes OUT.dcm and prints {"segments": [{"label", "rgb", "algorithmType", "mask": base64 of the 0/1
voxels in slice order (ImagePositionPatient along the normal, as the app sorts), "voxels"}]} as JSON.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import numpy as np
import pydicom


def main(argv: list[str]) -> int:
    import highdicom as hd
    from pydicom.sr.codedict import codes

    out, *paths = argv
    sources = [pydicom.dcmread(p) for p in paths]
    iop = np.array([float(v) for v in sources[0].ImageOrientationPatient])
    normal = np.cross(iop[:3], iop[3:])
    sources.sort(key=lambda d: float(np.dot([float(v) for v in d.ImagePositionPatient], normal)))
    n, rows, cols = len(sources), int(sources[0].Rows), int(sources[0].Columns)
    yy, xx = np.mgrid[0:rows, 0:cols]
    masks = np.zeros((n, rows, cols, 3), dtype=np.uint8)
    # 1: a disc on every slice; 2: a box on the first and last slice; 3: a small disc overlapping 1, middle slice
    masks[:, :, :, 0] = ((yy - rows * 0.45) ** 2 + (xx - cols * 0.5) ** 2 < (rows * 0.12) ** 2)[None]
    masks[[0, n - 1], int(rows * 0.1):int(rows * 0.25), int(cols * 0.6):int(cols * 0.85), 1] = 1
    masks[n // 2, :, :, 2] = (yy - rows * 0.5) ** 2 + (xx - cols * 0.55) ** 2 < (rows * 0.05) ** 2
    spec = [("tumour", (230, 40, 40), "MANUAL"), ("cochlea", (40, 120, 255), "SEMIAUTOMATIC"), ("nerve", (60, 200, 80), "MANUAL")]
    algo = hd.AlgorithmIdentificationSequence(name="hand-tool", version="1.0", family=codes.cid7162.ArtificialIntelligence)
    descriptions = [
        hd.seg.SegmentDescription(
            segment_number=i + 1, segment_label=label, segmented_property_category=codes.SCT.Tissue,
            segmented_property_type=codes.SCT.Tissue, algorithm_type=getattr(hd.seg.SegmentAlgorithmTypeValues, kind),
            algorithm_identification=algo if kind != "MANUAL" else None, display_color=hd.color.CIELabColor.from_rgb(*rgb),
        )
        for i, (label, rgb, kind) in enumerate(spec)
    ]
    seg = hd.seg.Segmentation(
        source_images=sources, pixel_array=masks, segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=descriptions, series_instance_uid=hd.UID(), series_number=900, sop_instance_uid=hd.UID(),
        instance_number=1, manufacturer="test", manufacturer_model_name="make_multiseg.py", software_versions="1",
        device_serial_number="1", omit_empty_frames=True,
    )
    seg.save_as(out)
    print(json.dumps({"sops": [d.SOPInstanceUID for d in sources], "shape": [n, rows, cols], "segments": [
        {"label": label, "rgb": list(rgb), "algorithmType": kind, "algorithmName": "hand-tool@1.0" if kind != "MANUAL" else "",
         "mask": base64.b64encode(np.ascontiguousarray(masks[..., i]).tobytes()).decode(), "voxels": int(masks[..., i].sum())}
        for i, (label, rgb, kind) in enumerate(spec)
    ]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
