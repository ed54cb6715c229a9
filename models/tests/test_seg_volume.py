"""The app's multi-frame DICOM SEG of real DICOM series, read by pydicom and highdicom (seg_check.py).

The SEGs are written by the app's own TypeScript writer (scripts/seg-volume-cli.mjs, through Node) for
three real series of ../shared/data/sample-files: a 5-slice CT, a 3-slice 512x512 MR and an enhanced
multi-frame MR (frames referenced by number). The checker must also fail: on a SEG whose frames reference
the wrong slices, and on a wrong algorithm type.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pydicom
import pytest

from tests.helpers import DATA_DIR, REPO_ROOT
from tests.seg_check import SegCheckError, check

SAMPLES = DATA_DIR / "sample-files" / "dicom"
SERIES = {
    "ct5n": sorted((SAMPLES / "pydicom" / "series-CT5N-16x16").iterdir()),
    "vs-seg-001": sorted((SAMPLES / "niivue-series-VS-SEG-001").iterdir()),
    "enhanced": [SAMPLES / "niivue" / "enh.dcm"],
}
pytestmark = [
    pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/data/sample-files is missing"),
    pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to run the app's writer"),
]


def write_seg(tmp_path: Path, sources: list[Path], *extra: str) -> tuple[Path, dict, dict]:
    out = tmp_path / "seg.dcm"
    res = subprocess.run(["node", "scripts/seg-volume-cli.mjs", str(out), *map(str, sources), *extra],
                         cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    app = json.loads(res.stdout.strip().splitlines()[-1])
    return out, json.loads(Path(f"{out}.expected.json").read_text()), app


@pytest.fixture(scope="module")
def app_segs(tmp_path_factory):
    """The app's AUTOMATIC SEG of each series, written once for the tests of this module."""
    return {name: write_seg(tmp_path_factory.mktemp(name), files) for name, files in SERIES.items()}


@pytest.mark.parametrize("name", list(SERIES))
def test_app_seg_of_real_series(app_segs, name):
    seg, expected, app = app_segs[name]
    facts = check(seg, expected, SERIES[name])
    assert facts["voxels"] > 0 and facts["highdicomDice"] == 1.0
    # slice 0 is left empty by the test mask: no frame for it
    assert 0 not in facts["nonEmptySlices"] and facts["frames"] == len(facts["nonEmptySlices"])
    assert facts["referencedInstances"] == len(SERIES[name])
    assert facts["algorithmType"] == "AUTOMATIC" and facts["algorithmName"] == "test-model@0123456789ab"
    assert facts["patientName"] == "ANON-TEST"
    # the app reads its own SEG back onto the series exactly
    assert app["readBackDice"] == 1 and app["unmatched"] == 0


def test_semiautomatic(tmp_path):
    seg, expected, _ = write_seg(tmp_path, SERIES["vs-seg-001"], "--type", "SEMIAUTOMATIC")
    assert check(seg, expected, SERIES["vs-seg-001"])["algorithmType"] == "SEMIAUTOMATIC"
    with pytest.raises(SegCheckError, match="SegmentAlgorithmType"):
        check(seg, {**expected, "algorithmType": "AUTOMATIC"}, SERIES["vs-seg-001"])


def test_checker_fails_on_wrong_references(tmp_path, app_segs):
    seg, expected, _ = app_segs["ct5n"]
    ds = pydicom.dcmread(seg)
    a, b = (g.DerivationImageSequence[0].SourceImageSequence[0] for g in ds.PerFrameFunctionalGroupsSequence[:2])
    a.ReferencedSOPInstanceUID, b.ReferencedSOPInstanceUID = b.ReferencedSOPInstanceUID, a.ReferencedSOPInstanceUID
    bad = tmp_path / "swapped.dcm"
    ds.save_as(bad)
    with pytest.raises(SegCheckError, match="references"):
        check(bad, expected, SERIES["ct5n"])


@pytest.mark.parametrize("name", ["vs-seg-001", "enhanced"])
def test_several_segments(tmp_path, name):
    """Three 3-D masks as segments 1-3 of one SEG: numbers, labels, algorithm types and colours as written,
    highdicom's pixels per segment equal to each mask, and the app reads every segment back (Dice 1.0)."""
    seg, expected, app = write_seg(tmp_path, SERIES[name], "--segments")
    facts = check(seg, expected, SERIES[name])
    assert [(s["number"], s["label"], s["algorithmType"]) for s in facts["segments"]] == [
        (1, "bright", "AUTOMATIC"), (2, "box", "SEMIAUTOMATIC"), (3, "box not bright", "MANUAL")]
    assert all(s["voxels"] > 0 and s["highdicomDice"] == 1.0 for s in facts["segments"])
    assert [s["readBackDice"] for s in app["segments"]] == [1, 1, 1]
    assert [s["rgb"] for s in app["segments"]] == [[0, 220, 255], [255, 200, 0], [40, 200, 60]]
    assert all(s["unmatched"] == 0 for s in app["segments"])
    # the checker fails on a swapped segment label and on a segment's pixels moved to another segment
    with pytest.raises(SegCheckError, match="SegmentLabel"):
        check(seg, {**expected, "segments": [{**expected["segments"][0], "label": "other"}, *expected["segments"][1:]]}, SERIES[name])
    ds = pydicom.dcmread(seg)
    ds.PerFrameFunctionalGroupsSequence[0].SegmentIdentificationSequence[0].ReferencedSegmentNumber = 2
    bad = tmp_path / "moved.dcm"
    ds.save_as(bad)
    with pytest.raises(SegCheckError, match="segment number"):
        check(bad, expected, SERIES[name])
