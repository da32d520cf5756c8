#!/usr/bin/env bash
# make scale-demo-stop: stops what make scale-demo started, by its recorded PIDs and namespace names,
# and removes its state. Its logs are kept, in $CALCFLOW_STATE_DIR/scale-logs/, for whoever asks why.
set -uo pipefail
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/scale-common.sh"
[ -d "$SCALE" ] || { log "no scale demo under $SCALE"; exit 0; }
[ -f "$SCALE/run/nginx.pid" ] && nginx -p "$SCALE/nginx" -c "$SCALE/nginx/nginx.conf" -e "$SCALE/logs/nginx-error.log" -s quit 2>/dev/null
for name in agent1 agent2 api1 api2 db1 db2 db3; do
    [ -f "$SCALE/run/$name.pid" ] && stop_pid "$SCALE/run/$name.pid" "$name"
done
while read -r namespace; do [ -n "$namespace" ] && ip netns del "$namespace" 2>/dev/null; done < "$SCALE/namespaces" 2>/dev/null
ip link del "$BRIDGE" 2>/dev/null
rm -rf "$STATE/scale-logs"
mv "$SCALE/logs" "$STATE/scale-logs" 2>/dev/null
rm -rf "$SCALE"
log "the scale demo is stopped and its state removed; its logs are in $STATE/scale-logs/"
