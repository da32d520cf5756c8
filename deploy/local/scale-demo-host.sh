#!/usr/bin/env bash
# A failure drill on make scale-demo: kills one host as a power cut would (kill -9), or brings it back.
#   deploy/local/scale-demo-host.sh kill  db1|db2|db3|api1|api2
#   deploy/local/scale-demo-host.sh start db1|db2|db3|api1|api2
# A Galera node brought back rejoins by IST (the cluster still holds the writes it missed in its
# gcache) and is waited for until Synced; an API host until it listens.
set -euo pipefail
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/scale-common.sh"
[ "$(id -u)" = 0 ] || die "the scale demo's hosts live in network namespaces: run it as root"
[ -s "$SCALE/front.url" ] || die "no scale demo runs under $SCALE; make scale-demo first"
action="${1:-}"; host="${2:-}"
case "$host" in
    db[1-3]|api[1-2]) ;;
    *) die "usage: $0 kill|start db1|db2|db3|api1|api2" ;;
esac
case "$action" in
    kill)
        pid_alive "$SCALE/run/$host.pid" || die "$host does not run"
        kill -KILL "$(cat "$SCALE/run/$host.pid")"
        for _ in $(seq 50); do pid_alive "$SCALE/run/$host.pid" || break; sleep 0.1; done
        log "killed $host (kill -9)"
        ;;
    start)
        pid_alive "$SCALE/run/$host.pid" && die "$host runs already"
        if [[ "$host" == db* ]]; then
            position="$(recovered_position "${host#db}")"
            [ -n "$position" ] && log "db${host#db} recovered its position: ${position#*=}"
            logged=$(wc -l < "$SCALE/logs/$host.log")
            start_node "${host#db}" $position
            wait_synced "${host#db}"
            # How it came back this time (the log holds every start): IST, the writes it missed, or a full state transfer.
            if tail -n +"$((logged + 1))" "$SCALE/logs/$host.log" | grep -q "IST received"; then log "$host rejoined by IST"
            else log "$host rejoined by a full state transfer (SST)"; fi
        else
            start_api_host "${host#api}"
            wait_api_host "${host#api}"
        fi
        log "$host is back"
        ;;
    *) die "usage: $0 kill|start db1|db2|db3|api1|api2" ;;
esac
