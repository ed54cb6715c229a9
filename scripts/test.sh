#!/bin/sh
# Runs every test: TypeScript unit tests (Vitest), the Python toolchain tests (pytest), e2e (Playwright + Chromium).
set -e
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund; fi
npx tsc -p tsconfig.json --noEmit
npx eslint . --max-warnings=0
npx vitest run
sh scripts/test-py.sh
npx playwright test
