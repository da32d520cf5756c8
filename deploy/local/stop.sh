#!/usr/bin/env bash
# make stop: stops what make run started, by the PIDs it recorded.
set -uo pipefail
source "$(dirname "$0")/common.sh"
if pid_alive "$STATE/run/nginx.pid"; then
    nginx -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" -e "$STATE/logs/nginx-error.log" -s quit 2>/dev/null
fi
stop_pid "$STATE/run/nginx.pid" nginx
stop_pid "$STATE/run/calcflow-api.pid" calcflow-api
stop_pid "$STATE/run/mariadb.pid" MariaDB
