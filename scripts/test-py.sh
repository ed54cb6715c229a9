#!/bin/sh
# Python toolchain tests in a local venv (.venv), torch CPU build (torch==2.13.0 from requirements).
set -e
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
if ! .venv/bin/python -c "import torch, onnxruntime, transformers, jsonschema" 2>/dev/null; then
  .venv/bin/pip install -q -r models/requirements.txt
fi
cd models && ../.venv/bin/python -m pytest -q tests
