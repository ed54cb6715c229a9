"""Tiny random-weight CRIS bundle for the engine tests, made with the real toolchain (python -m vlsm.cris_export).

    python3 src/engine/testing/make_tiny_cris.py [OUT]   (default models/build/cris; git-ignored)

Writes OUT/tiny (CLIP RN (1,1,1,1) x width 8, 2-layer text transformer of width 32, 2 decoder layers, 64 px,
17 tokens; variants wasm-int8 and fp32; text outputs word_embeds, text_embeds, word_pad_mask), then the marker
OUT/done-1 (its number goes up when the toolchain's output changes, so an older build is made again).
"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "models/build/cris").resolve()
    subprocess.run([sys.executable, "-W", "ignore", "-m", "vlsm.cris_export", "--random-init", "tiny", "--out",
                    str(out / "tiny"), "--id", "tiny-cris", "--name", "CRIS tiny (random)", "--license", "test-only",
                    "--threads", "1", "--precisions", "fp32,int8"], cwd=ROOT / "models", check=True, stdout=subprocess.DEVNULL)
    (out / "done-1").write_text("ok\n")


if __name__ == "__main__":
    main()
