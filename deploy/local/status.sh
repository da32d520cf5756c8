#!/usr/bin/env bash
# make status: what of make run's stack is running.
set -uo pipefail
source "$(dirname "$0")/common.sh"
status=0
for name in mariadb calcflow-api nginx calcflow-agent podman calcflow-models; do
    if pid_alive "$STATE/run/$name.pid"; then
        printf '%-14s running (pid %s)\n' "$name" "$(cat "$STATE/run/$name.pid")"
    else
        printf '%-14s stopped\n' "$name"; status=3
    fi
done
if health=$(curl -sS --max-time 3 --cacert "$STATE/tls/cert.pem" "https://127.0.0.1:$HTTPS_PORT/api/v1/healthz" 2>&1); then
    printf '%-14s %s\n' healthz "$health"
else
    printf '%-14s unreachable\n' healthz; status=3
fi
exit $status
