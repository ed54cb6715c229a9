#!/bin/sh
# Runs every test: types, lint, the Python toolchain tests (pytest), TypeScript unit tests (Vitest),
# end to end (Playwright in the system Chromium; it builds and previews the app itself).
# First checks the prerequisites (one line each saying how to get what is missing) before any slow step.
# Then runs every stage even when an earlier one fails, so one failure does not hide another, prints each
# stage's result and exits non-zero at the end if any failed.
cd "$(dirname "$0")/.."

missing=0
need() { echo "missing: $1" >&2; missing=1; }

# Node: Vite 8 needs ^20.19 or >=22.12 (the version in package.json "engines").
node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number);console.log(a===20&&b>=19||a===22&&b>=12||a>22?1:0)' 2>/dev/null)
[ "$node_ok" = 1 ] || need "Node.js 20.19+ or 22.12+ (found $(node --version 2>/dev/null || echo none)): install it from https://nodejs.org or your package manager (e.g. apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || need "npm: apt-get install npm (it comes with Node.js from nodejs.org)"
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || need "Chromium at $CHROMIUM for the end-to-end tests: apt-get install chromium (or set CHROMIUM_PATH to a Chromium/Chrome binary)"
if [ ! -x .venv/bin/python ]; then
  if ! command -v python3 >/dev/null 2>&1; then
    need "Python 3 for the model toolchain tests and the engine's references: apt-get install python3 python3-venv"
  elif ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    need "Python's venv module (to build .venv): apt-get install python3-venv"
  fi
fi
[ -f ../shared/data/README.md ] || need "the shared sample data at ../shared/data (next to this checkout; read-only, never copied in): link it, e.g. ln -s /work/shared ../shared"
# Free disk: node_modules is ~0.9 GB, .venv ~1.1 GB (plus pip's download cache), builds and references ~0.2 GB.
want_mb=500
[ -d node_modules ] || want_mb=$((want_mb + 1000))
[ -x .venv/bin/python ] || want_mb=$((want_mb + 2000))
free_mb=$(df -Pm . | awk 'NR==2 {print $4}')
[ "${free_mb:-0}" -ge "$want_mb" ] || need "${want_mb} MB of free disk here (${free_mb} MB free): node_modules ~0.9 GB, .venv ~1.1 GB; free some space"
if [ "$missing" = 1 ]; then
  echo "npm test: prerequisites missing (above); nothing was run." >&2
  exit 1
fi

if [ ! -d node_modules ]; then ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund || exit 1; fi

results=""
failed=0
stage() {
  name=$1
  shift
  echo "=== $name: $*"
  start=$(date +%s)
  if "$@"; then r=passed; else r="FAILED (exit $?)"; failed=1; fi
  line="$name: $r in $(($(date +%s) - start)) s"
  echo "=== $line"
  results="$results
  $line"
}

stage types npx tsc -p tsconfig.json --noEmit
stage lint npx eslint . --max-warnings=0
# Python first: it builds .venv, which Vitest's global setup uses for the engine's reference outputs.
stage pytest sh scripts/test-py.sh
stage vitest npx vitest run
stage playwright npx playwright test

echo "npm test summary:$results"
exit $failed
