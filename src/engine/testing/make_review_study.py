"""The review-queue e2e test's study (e2e/review.spec.ts): three real BUSI images with their masks (copied from
../shared/data into this git-ignored build folder, never committed) in the study's folder layout, scored with
the shipped bundle by `python -m vlsm.study --no-ray` (in process: no Ray start-up in a test setup).

python src/engine/testing/make_review_study.py OUT_DIR   ->  OUT_DIR/study/{images,masks,out/rows.csv}, OUT_DIR/done
"""
import os
import shutil
import subprocess
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SHARED = os.environ.get("VLSM_DATA", os.path.join(REPO, "..", "shared", "data"))
NAMES = ["benign (10)", "benign (102)", "malignant (1)"]


def main(out: str) -> None:
    root = os.path.join(os.path.abspath(out), "study")
    shutil.rmtree(root, ignore_errors=True)
    for sub in ("images", "masks"):
        os.makedirs(os.path.join(root, sub))
    for n in NAMES:
        shutil.copy(os.path.join(SHARED, "busi", "images", f"{n}.png"), os.path.join(root, "images", f"{n}.png"))
        shutil.copy(os.path.join(SHARED, "busi", "masks", f"{n}_mask.png"), os.path.join(root, "masks", f"{n}_mask.png"))
    subprocess.run([sys.executable, "-W", "ignore", "-m", "vlsm.study", "--bundle", "compact-vlsm", "--folder", root,
                    "--class", "breast tumor", "--out", os.path.join(root, "out"), "--no-ray", "--no-progress"],
                   cwd=os.path.join(REPO, "models"), check=True, stdout=subprocess.DEVNULL)
    # only what the browser is given: rows.csv beside the images (the parts, plots and tables stay out)
    shutil.move(os.path.join(root, "out", "rows.csv"), os.path.join(root, "rows.csv"))
    shutil.rmtree(os.path.join(root, "out"))
    open(os.path.join(os.path.abspath(out), "done"), "w").write("1\n")


if __name__ == "__main__":
    main(sys.argv[1])
