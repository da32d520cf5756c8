#!/usr/bin/env bash
# make stop: stops what make run started, by the PIDs it recorded.
set -uo pipefail
source "$(dirname "$0")/common.sh"
# nginx on SIGQUIT finishes its open requests; calcflow-api and MariaDB do so on SIGTERM.
stop_pid "$STATE/run/calcflow-agent.pid" calcflow-agent
stop_pid "$STATE/run/nginx.pid" nginx QUIT
stop_pid "$STATE/run/calcflow-api.pid" calcflow-api
stop_pid "$STATE/run/mariadb.pid" MariaDB
