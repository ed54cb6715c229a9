#!/bin/sh
# A real PACS for development and the e2e tests: Orthanc + its DICOMweb plugin (Debian packages `orthanc`,
# `orthanc-dicomweb`) on loopback, with a project-owned config (HTTP basic authentication on, storage in a
# temporary folder), seeded with the DICOM files of ../shared/data/sample-files (MANIFEST.csv).
#
#   sh scripts/orthanc.sh start     # start (no-op when it already answers), wait until ready
#   sh scripts/orthanc.sh seed      # upload every DICOM file the manifest lists (idempotent)
#   sh scripts/orthanc.sh stop      # stop the one this script started and delete its storage
#   sh scripts/orthanc.sh status    # exit 0 when it answers
#
# Environment: ORTHANC_HTTP_PORT (4371), ORTHANC_DICOM_PORT (4372), ORTHANC_USER / ORTHANC_PASSWORD
# (vlsm / vlsm-dev-only: a throw-away account of this local test server, not a secret), ORTHANC_DIR
# (state folder, default $TMPDIR/vlsm-orthanc-<port>), SAMPLE_DATA (../shared/data/sample-files).
set -eu
cd "$(dirname "$0")/.."
HTTP_PORT="${ORTHANC_HTTP_PORT:-4371}"
DICOM_PORT="${ORTHANC_DICOM_PORT:-4372}"
USER_NAME="${ORTHANC_USER:-vlsm}"
PASSWORD="${ORTHANC_PASSWORD:-vlsm-dev-only}"
DIR="${ORTHANC_DIR:-${TMPDIR:-/tmp}/vlsm-orthanc-$HTTP_PORT}"
DATA="${SAMPLE_DATA:-../shared/data/sample-files}"
PLUGIN=/usr/share/orthanc/plugins/libOrthancDicomWeb.so
URL="http://127.0.0.1:$HTTP_PORT"
INSTALL_HINT="Orthanc is not installed: apt-get install -y orthanc orthanc-dicomweb (Debian/Ubuntu)"

ready() { curl -fsS -m 2 -u "$USER_NAME:$PASSWORD" "$URL/system" >/dev/null 2>&1; }

wait_ready() {
  # Poll /system until it answers, with a deadline (no fixed sleeps).
  deadline=$(( $(date +%s) + ${1:-30} ))
  while ! ready; do
    if [ -f "$DIR/orthanc.pid" ] && ! kill -0 "$(cat "$DIR/orthanc.pid")" 2>/dev/null; then
      echo "Orthanc exited during start-up; last lines of $DIR/orthanc.log:" >&2; tail -n 20 "$DIR/orthanc.log" >&2; return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then echo "Orthanc did not answer on $URL within ${1:-30} s" >&2; return 1; fi
    sleep 0.2
  done
}

start() {
  if ready; then echo "Orthanc already answers on $URL"; return 0; fi
  command -v Orthanc >/dev/null 2>&1 || { echo "$INSTALL_HINT" >&2; exit 3; }
  [ -f "$PLUGIN" ] || { echo "The DICOMweb plugin is missing ($PLUGIN): apt-get install -y orthanc-dicomweb" >&2; exit 3; }
  mkdir -p "$DIR/db"
  cat > "$DIR/orthanc.json" <<JSON
{
  "Name": "VLSM dev PACS",
  "StorageDirectory": "$DIR/db",
  "IndexDirectory": "$DIR/db",
  "HttpPort": $HTTP_PORT,
  "DicomPort": $DICOM_PORT,
  "DicomAet": "VLSMDEV",
  "RemoteAccessAllowed": false,
  "AuthenticationEnabled": true,
  "RegisteredUsers": { "$USER_NAME": "$PASSWORD" },
  "Plugins": ["$PLUGIN"],
  "HttpCompressionEnabled": false,
  "StableAge": 2,
  "SaveJobs": false,
  "HttpThreadsCount": 32,
  "LimitFindResults": 0,
  "LimitFindInstances": 0,
  "DicomWeb": { "Enable": true, "Root": "/dicom-web/", "EnableWado": false, "StudiesMetadata": "MainDicomTags", "SeriesMetadata": "Full" }
}
JSON
  Orthanc "$DIR/orthanc.json" > "$DIR/orthanc.log" 2>&1 &
  echo $! > "$DIR/orthanc.pid"
  wait_ready 30
  echo "Orthanc answers on $URL (DICOMweb: $URL/dicom-web, user $USER_NAME; state in $DIR)"
}

seed() {
  ready || { echo "Orthanc does not answer on $URL; run: sh scripts/orthanc.sh start" >&2; exit 1; }
  [ -f "$DATA/MANIFEST.csv" ] || { echo "No $DATA/MANIFEST.csv: the sample data is missing" >&2; exit 1; }
  ok=0; failed=0
  # The manifest's DICOM rows (kind column = DICOM); paths never hold commas.
  for rel in $(awk -F, 'NR > 1 && $2 == "DICOM" { print $1 }' "$DATA/MANIFEST.csv"); do
    code=$(curl -sS -o /dev/null -w '%{http_code}' -u "$USER_NAME:$PASSWORD" -X POST -H 'Content-Type: application/dicom' \
      --data-binary "@$DATA/$rel" "$URL/instances") || code=000
    case "$code" in 200) ok=$((ok + 1)) ;; *) failed=$((failed + 1)); echo "not stored ($code): $rel" >&2 ;; esac
  done
  echo "Seeded Orthanc with $ok DICOM files of $DATA ($failed refused: transfer syntaxes this Orthanc does not know)"
  [ "$ok" -gt 0 ] || { echo "Nothing could be stored" >&2; exit 1; }
  # Synthetic objects (made, never real patients): a 24-slice phantom series and an MPEG-2 image the app cannot read.
  ORTHANC_HTTP_PORT="$HTTP_PORT" ORTHANC_USER="$USER_NAME" ORTHANC_PASSWORD="$PASSWORD" node scripts/pacs-synth.mjs series --slices 24 --size 128 >/dev/null
  ORTHANC_HTTP_PORT="$HTTP_PORT" ORTHANC_USER="$USER_NAME" ORTHANC_PASSWORD="$PASSWORD" node scripts/pacs-synth.mjs unsupported >/dev/null
  echo "Seeded Orthanc with 2 synthetic studies (24-slice phantom, MPEG-2 image)"
}

stop() {
  if [ -f "$DIR/orthanc.pid" ]; then
    pid=$(cat "$DIR/orthanc.pid")
    if kill "$pid" 2>/dev/null; then
      deadline=$(( $(date +%s) + 15 ))
      while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -rf "$DIR"
    echo "Orthanc on $URL stopped"
  else
    echo "No Orthanc started by this script on $URL"
  fi
}

case "${1:-}" in
  start) start ;;
  seed) seed ;;
  stop) stop ;;
  status) ready ;;
  *) echo "usage: sh scripts/orthanc.sh start|seed|stop|status" >&2; exit 2 ;;
esac
