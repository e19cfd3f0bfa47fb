#!/usr/bin/env bash
# Smoke test of a built jianguan binary:
#   start `serve --demo` on a free port with a temp data dir, wait for /readyz,
#   read the demo accounts it prints, log in as admin and fazhi through the
#   API, call /api/v1/me, then SIGTERM it and require a clean exit (code 0).
#
#   scripts/smoke.sh [path/to/jianguan]   (default ${CARGO_TARGET_DIR:-target}/debug/jianguan)
#
# Env: SMOKE_READY_TIMEOUT (s, default 60), SMOKE_STOP_TIMEOUT (s, default 20).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/jianguan}"
READY_TIMEOUT="${SMOKE_READY_TIMEOUT:-60}"
STOP_TIMEOUT="${SMOKE_STOP_TIMEOUT:-20}"

say() { echo "smoke: $*"; }
fail() { echo "smoke: FAIL: $*" >&2; exit 1; }

[[ -x "$BIN" ]] || fail "binary not found or not executable: $BIN"
for tool in curl jq; do command -v "$tool" >/dev/null || fail "$tool is required"; done

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$(( 20000 + RANDOM % 12000 ))  # below the ephemeral range
    # Nothing accepts a connection there: free (good enough for a test).
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  fail "no free port found"
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/jianguan-smoke.XXXXXX")"
PID=""
cleanup() {
  local rc=$?
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null || true; fi
  if (( rc != 0 )); then
    echo "smoke: ---- server stdout (last 40 lines) ----" >&2; tail -n 40 "$WORK/stdout" >&2 2>/dev/null || true
    echo "smoke: ---- server stderr (last 60 lines) ----" >&2; tail -n 60 "$WORK/stderr" >&2 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
mkdir -p "$WORK/data"
say "starting $BIN serve --listen 127.0.0.1:$PORT --data-dir $WORK/data --demo"
"$BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" --demo \
  </dev/null >"$WORK/stdout" 2>"$WORK/stderr" &
PID=$!

# Password of a demo account from the `username / password` lines on stdout.
password_of() {
  sed -nE "s#^[[:space:]]*([-*][[:space:]]*)?$1[[:space:]]+/[[:space:]]+([^[:space:]]+).*#\\2#p" "$WORK/stdout" | head -n1
}

# Wait for /readyz == 200 and the admin account line.
started=$SECONDS
deadline=$(( SECONDS + READY_TIMEOUT ))
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/readyz" || true)" == 200 \
         && -n "$(password_of admin)" ]]; do
  kill -0 "$PID" 2>/dev/null || { wait "$PID" || rc=$?; PID=""; fail "server exited early (code ${rc:-0})"; }
  (( SECONDS < deadline )) || fail "not ready within ${READY_TIMEOUT}s (/readyz not 200 or no 'admin / password' line on stdout)"
  sleep 0.3
done
say "ready after $(( SECONDS - started ))s on $BASE"

# POST JSON; prints the HTTP code, the body goes to $WORK/body.
post_json() {
  curl -sS --max-time 10 -o "$WORK/body" -w '%{http_code}' -H 'Content-Type: application/json' -d "$2" "$BASE$1"
}

login() { # user password -> token on stdout
  local code body
  code="$(post_json /api/v1/auth/login "$(jq -cn --arg u "$1" --arg p "$2" '{username: $u, password: $p}')")"
  body="$(cat "$WORK/body")"
  [[ "$code" == 200 ]] || fail "login as $1: HTTP $code: ${body:0:300}"
  jq -er '.token | select(type == "string" and length > 0)' <<<"$body" || fail "login as $1: no token in ${body:0:300}"
}

me() { # token -> HTTP code
  curl -sS --max-time 10 -o "$WORK/body" -w '%{http_code}' -H "Authorization: Bearer $1" "$BASE/api/v1/me"
}

for user in admin fazhi; do
  pw="$(password_of "$user")"
  [[ -n "$pw" ]] || fail "no '$user / password' line printed on stdout"
  token="$(login "$user" "$pw")"
  code="$(me "$token")"
  [[ "$code" == 200 ]] || fail "GET /api/v1/me as $user: HTTP $code: $(head -c 300 "$WORK/body")"
  say "$user: login ok, /api/v1/me 200: $(head -c 200 "$WORK/body")"
done

code="$(post_json /api/v1/auth/login "$(jq -cn --arg p "$(password_of admin)-wrong" '{username: "admin", password: $p}')")"
[[ "$code" == 4?? ]] || fail "login with a wrong password: expected HTTP 4xx, got $code"
code="$(me not-a-valid-token)"
[[ "$code" == 401 || "$code" == 403 ]] || fail "GET /api/v1/me with a bad token: expected 401/403, got $code"
say "wrong password and bad token rejected"

say "SIGTERM"
kill -TERM "$PID"
deadline=$(( SECONDS + STOP_TIMEOUT ))
while kill -0 "$PID" 2>/dev/null; do
  (( SECONDS < deadline )) || fail "still running ${STOP_TIMEOUT}s after SIGTERM"
  sleep 0.2
done
rc=0; wait "$PID" || rc=$?
PID=""
(( rc == 0 )) || fail "exit code $rc after SIGTERM (expected 0)"
if grep -q 'panicked at' "$WORK/stderr" "$WORK/stdout"; then fail "a panic was logged"; fi
say "clean exit; all checks passed"
