#!/bin/sh
# Quick start: install JS dependencies when missing, then serve the app (with the model bundles shipped in
# models/) at http://127.0.0.1:5173.
set -e
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund; fi
exec npx vite --host 127.0.0.1 --port 5173
