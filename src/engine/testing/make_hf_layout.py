"""A tiny random-weight CLIPSeg in the transformers.js folder layout, served by the tests as a model hub,
and its split bundle, both made with the real toolchain (models/vlsm/hf_layout.py, split_single.py).

    python3 src/engine/testing/make_hf_layout.py [OUT]   (default models/build/hf; git-ignored)

Writes OUT/Xenova/clipseg-tiny-random (config.json, preprocessor_config.json, tokenizer.json, ...,
onnx/model.onnx, onnx/model_quantized.onnx; 64 px), OUT/clipseg-tiny-split (python -m vlsm.split_single of
it, parity-checked: the command fails above max |dlogit| 1e-3), then the marker OUT/done-1.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "models"))

import torch  # noqa: E402

from vlsm.clipseg_graphs import random_model, tiny_config  # noqa: E402
from vlsm.hf_layout import write_layout  # noqa: E402
from vlsm.split_single import TOLERANCE, check_parity, split_folder  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "models/build/hf").resolve()
    torch.set_num_threads(1)
    folder = out / "Xenova" / "clipseg-tiny-random"
    model = random_model(tiny_config(), seed=2, init_scale=0.5)
    write_layout(model, folder, note="RANDOM weights (test fixture, src/engine/testing/make_hf_layout.py): masks are meaningless")
    split_folder(folder, out / "clipseg-tiny-split", bundle_id="clipseg-tiny-split", name="CLIPSeg tiny (random, split)",
                 license="test-only")
    report = check_parity(folder, out / "clipseg-tiny-split")
    if report["maxAbsDiff"] > TOLERANCE:
        raise SystemExit(f"split differs from the single graph by {report['maxAbsDiff']}")
    (out / "done-1").write_text("ok\n")


if __name__ == "__main__":
    main()
