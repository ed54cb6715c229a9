"""A tiny random-weight BiomedCLIPSeg-D bundle for the engine tests, made with the real toolchain
(models/vlsm/biomedclipseg_export.py): the same structure as the published model at toy width (64 px, 4x4
patches, BERT of 2 layers, context 64) and a WordPiece tokenizer.json from the word list of
models/tests/test_wordpiece_ids.py.

    python3 src/engine/testing/make_biomed_bundle.py [OUT]   (default models/build/biomedclipseg; git-ignored)

Writes OUT/bundle (variants wasm-int8, fp32), then the marker OUT/done-1 (its number goes up when the
toolchain's output changes, so an older build is made again).
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "models"))

import torch  # noqa: E402

from tests.test_wordpiece_ids import WORDS  # noqa: E402
from vlsm.biomedclipseg import random_model, tiny_config  # noqa: E402
from vlsm.biomedclipseg_export import write_bundle  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "models/build/biomedclipseg").resolve()
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    vocab = out / "vocab.txt"
    vocab.write_text("\n".join(WORDS) + "\n", encoding="utf-8")
    model = random_model(tiny_config(), seed=0, init_scale=0.5)
    write_bundle(model, out / "bundle", vocab, "biomedclipseg-d", precisions=("fp32", "int8"), bundle_id="tiny-biomedclipseg-d",
                 name="tiny BiomedCLIPSeg-D (random)", license="test-only")
    (out / "done-1").write_text("ok\n")


if __name__ == "__main__":
    main()
