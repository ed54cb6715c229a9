"""Tiny random-weight CLIPSeg bundles for the engine tests, made with the real toolchain (models/vlsm).

    python3 src/engine/testing/make_tiny_bundle.py [OUT]   (default models/build/tiny; git-ignored)

Writes OUT/split (variants wasm-int8, fp32) and OUT/single (the single-graph baseline), both at 64 px,
OUT/compact-v2 (the compact default model's v2 architecture, random weights, 64 px: variants wasm, fp32,
webgpu-fp16; decoder inputs pix8, pix4, text_embeds), OUT/image-only (the image-only U-Net baseline's
architecture, random weights, 64 px: one vision graph, no tokenizer), then the marker file OUT/done-5
(src/worker/testing.ts waits for it; its number goes up when the toolchain's output changes, so an older
tiny build is made again).
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "models"))

from vlsm.clipseg_export import write_bundle  # noqa: E402
from vlsm.clipseg_graphs import random_model, tiny_config  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "models/build/tiny").resolve()
    model = random_model(tiny_config(), seed=0, init_scale=0.5)
    common = dict(precisions=("fp32", "int8"), license="test-only", summary="tiny random CLIPSeg for engine tests")
    write_bundle(model, out / "split", "split", bundle_id="tiny-split", **common)
    write_bundle(model, out / "single", "single", bundle_id="tiny-single", **common)
    import subprocess

    subprocess.run([sys.executable, "-W", "ignore", "-m", "vlsm.export_compact", "--random-init", "--size", "64",
                    "--out", str(out / "compact-v2"), "--work", str(out / "compact-v2-work"), "--id", "tiny-compact-v2",
                    "--name", "tiny compact v2 (random)", "--force-wasm", "vision=fp32,text=int8,decoder=fp32",
                    "--fp32-variant", "--threads", "1"], cwd=ROOT / "models", check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-W", "ignore", "-m", "vlsm.unet", "export", "--random-init", "--size", "64",
                    "--widths", "4,8", "--out", str(out / "image-only"), "--id", "tiny-image-only",
                    "--name", "tiny image-only U-Net (random)"], cwd=ROOT / "models", check=True, stdout=subprocess.DEVNULL)
    (out / "done-5").write_text("ok\n")


if __name__ == "__main__":
    main()
