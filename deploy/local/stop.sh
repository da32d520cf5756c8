#!/usr/bin/env bash
# make stop: stops what make run started, by the PIDs it recorded.
set -uo pipefail
source "$(dirname "$0")/common.sh"
# nginx on SIGQUIT finishes its open requests; calcflow-api and MariaDB do so on SIGTERM.
stop_pid "$STATE/run/calcflow-agent.pid" calcflow-agent
# Model containers stop with their engine's service; a new make run starts them again (the controller adopts none left over).
stop_pid "$STATE/run/calcflow-models.pid" calcflow-models
if [ -f "$STATE/podman/containers.conf" ]; then
    podman_environment "$STATE"
    podman stop -a -t 10 >/dev/null 2>&1 || true
fi
stop_pid "$STATE/run/podman.pid" podman
stop_pid "$STATE/run/nginx.pid" nginx QUIT
stop_pid "$STATE/run/calcflow-api.pid" calcflow-api
stop_pid "$STATE/run/mariadb.pid" MariaDB
