#!/usr/bin/env bash
# Starts the Temporal dev server for this project, with its state in a SQLite file under data/
# so workflows survive a restart, registers the app's search attributes, waits until the server
# answers and prints the addresses. Runs in the foreground; Ctrl-C (or SIGTERM) stops it.
#
#   TEMPORAL_PORT      gRPC port          (default 7233)
#   TEMPORAL_UI_PORT   Web UI port        (default 8233)
#   TEMPORAL_IP        address to bind    (default 127.0.0.1)
#   TEMPORAL_DB_FILE   state file         (default data/temporal.sqlite)
#   TEMPORAL_CODEC_ENDPOINT  optional remote codec endpoint for the Web UI
set -euo pipefail
cd "$(dirname "$0")"

PORT="${TEMPORAL_PORT:-7233}"
UI_PORT="${TEMPORAL_UI_PORT:-8233}"
IP="${TEMPORAL_IP:-127.0.0.1}"
DB_FILE="${TEMPORAL_DB_FILE:-data/temporal.sqlite}"
mkdir -p "$(dirname "$DB_FILE")"

TEMPORAL="$(bash scripts/temporal-bins.sh | sed -n 's/^temporal=//p')"
[ -n "$TEMPORAL" ] || { echo "temporal-dev: no temporal binary (see scripts/temporal-bins.sh)" >&2; exit 1; }

# Search attributes the app writes (opaque ids only: never student data).
SEARCH_ATTRIBUTES=(
  "SemesterId=Keyword"
  "CollegeId=Keyword"
  "TaskKind=Keyword"
  "EscalationLevel=Int"
)
args=(server start-dev --ip "$IP" --port "$PORT" --ui-port "$UI_PORT" --db-filename "$DB_FILE"
      --ui-disable-news-fetch --log-level error
      # timers fire within 100 ms of their instant, not up to 1 s late (the default clock-skew
      # tolerance between history hosts; one dev server has one clock): ADR 0005, docs/operations.md
      --dynamic-config-value 'history.timerProcessorMaxTimeShift="100ms"')
for sa in "${SEARCH_ATTRIBUTES[@]}"; do args+=(--search-attribute "$sa"); done
if [ -n "${TEMPORAL_CODEC_ENDPOINT:-}" ]; then args+=(--ui-codec-endpoint "$TEMPORAL_CODEC_ENDPOINT"); fi

if (exec 3<>"/dev/tcp/$IP/$PORT") 2>/dev/null; then
  echo "temporal-dev: something already listens on $IP:$PORT; set TEMPORAL_PORT or stop it." >&2
  exit 1
fi

"$TEMPORAL" "${args[@]}" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; exit 0' INT TERM

for _ in $(seq 1 120); do
  if ! kill -0 "$server" 2>/dev/null; then wait "$server"; echo "temporal-dev: the server exited" >&2; exit 1; fi
  if "$TEMPORAL" operator cluster health --address "$IP:$PORT" >/dev/null 2>&1; then
    echo "temporal-dev: Temporal gRPC at $IP:$PORT, Web UI at http://$IP:$UI_PORT (state in $DB_FILE)"
    wait "$server"
    exit $?
  fi
  sleep 0.5
done
echo "temporal-dev: the server did not answer within 60 s" >&2
kill -TERM "$server" 2>/dev/null
exit 1
