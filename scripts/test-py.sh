#!/bin/sh
# Python toolchain tests in a local venv (.venv), torch CPU build (torch==2.13.0 from requirements).
set -e
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then python3 -m venv --system-site-packages .venv; fi
.venv/bin/pip install -q -r models/requirements.txt 2>&1 | grep -v -e "^WARNING: Location" -e "pip as the 'root' user" || true
cd models && ../.venv/bin/python -m pytest -q tests
