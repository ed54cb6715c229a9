#!/bin/sh
# Runs every test: types, lint, TypeScript unit tests (Vitest), the Python toolchain tests (pytest),
# end to end (Playwright in the system Chromium; it builds and previews the app itself).
set -e
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund; fi
npx tsc -p tsconfig.json --noEmit
npx eslint . --max-warnings=0
# Python first: it builds .venv, which the engine's parity tests (Vitest) use for their reference outputs.
sh scripts/test-py.sh
npx vitest run
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "e2e needs Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium} (apt-get install chromium, or set CHROMIUM_PATH)" >&2
  exit 1
fi
npx playwright test
