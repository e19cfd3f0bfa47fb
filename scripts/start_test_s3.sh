#!/usr/bin/env bash
# Starts a local S3-compatible server (moto, from PyPI) for the file-store
# tests when none answers yet, creates the test bucket and prints the endpoint.
#   JIANGUAN_S3_PORT (default 9000), JIANGUAN_TEST_S3_BUCKET (default jianguan-test)
set -euo pipefail
PORT="${JIANGUAN_S3_PORT:-9000}"
ENDPOINT="http://127.0.0.1:$PORT"
BUCKET="${JIANGUAN_TEST_S3_BUCKET:-jianguan-test}"
up() { curl -s -o /dev/null --max-time 2 "$ENDPOINT/"; }
if ! up; then
  if ! command -v moto_server >/dev/null; then
    python3 -m pip install -q --disable-pip-version-check 'moto[server]' >&2
    hash -r
  fi
  nohup moto_server -H 127.0.0.1 -p "$PORT" >/tmp/jianguan-moto.log 2>&1 &
  for _ in $(seq 1 60); do up && break; sleep 0.5; done
  up || { echo "error: the S3 server did not start (see /tmp/jianguan-moto.log)" >&2; exit 1; }
fi
# moto accepts unsigned requests; an existing bucket answers 409, which is fine.
curl -s -o /dev/null -X PUT "$ENDPOINT/$BUCKET" || true
echo "$ENDPOINT"
