#!/bin/sh
# Quick start: install JS dependencies when missing, then serve the app with its shipped default model.
set -e
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund; fi
exec npx vite --host 127.0.0.1
