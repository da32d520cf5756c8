#!/usr/bin/env bash
# make bench-scale: what replication costs. Whole calculation lifecycles a second (create → claim →
# 3 events → 1 analysis → succeeded) on make run's single machine, then through make scale-demo's
# front on two API hosts and three Galera nodes, in one run, and the API's write round trips per
# lifecycle, counted on Galera's wsrep_local_commits. On 2 cores the cluster may well be slower: the
# figure shows the cost of replication, not a speed-up.
set -euo pipefail
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/bench-common.sh"
source "$(dirname "$0")/scale-common.sh"
[ "$(id -u)" = 0 ] || die "make bench-scale measures make scale-demo, which needs root"
pid_alive "$STATE/run/calcflow-api.pid" && pid_alive "$STATE/run/nginx.pid" || die "the single machine is measured beside the cluster: make run first"
COUNT="${CALCFLOW_BENCH_LIFECYCLES:-2000}"
CONCURRENCY="${CALCFLOW_BENCH_LIFECYCLE_CONCURRENCY:-16}"
STARTED_DEMO=false
if [ ! -s "$SCALE/front.url" ]; then
    "$(dirname "$0")/scale-demo.sh"
    STARTED_DEMO=true
fi
trap '$STARTED_DEMO && "$(dirname "$0")/scale-demo-stop.sh"' EXIT

# bench_lifecycles CA_FILE BASE_URL PASSWORD_FILE: the lifecycle driver's one line, on a cluster of its own.
bench_lifecycles() {
    local token cluster key
    token=$(bench_sign_in "$1" "$2" "$ADMIN_EMAIL" "$3")
    cluster=$(bench_cluster "$1" "$2" "$token" bench "make bench")
    key=$(bench_key "$1" "$2" "$token" "$cluster" "make bench-scale")
    bench_qe_catalog "$1" "$2" "$key"
    "$BIN_DIR/calcflowctl" bench lifecycle --url "$2" --token "$token" --key "$key" --cluster-id "$cluster" \
        --ca-certificate "$1" --count "$COUNT" --concurrency "$CONCURRENCY"
}
# Transactions each node committed that came from its own clients (not those it applied from others).
local_commits() {
    local n total=0 commits
    for n in 1 2 3; do
        commits=$(mariadb --socket="$SCALE/run/db$n.sock" -uroot -N -e "SHOW GLOBAL STATUS LIKE 'wsrep_local_commits'" | cut -f2)
        total=$((total + commits))
    done
    echo "$total"
}
figure() { sed -n 's/.*lifecycles_per_second=\([0-9.]*\).*/\1/p' <<<"$1"; }

log "$COUNT lifecycles, $CONCURRENCY at once: first on make run's single machine"
SINGLE=$(bench_lifecycles "$STATE/tls/cert.pem" "https://127.0.0.1:$HTTPS_PORT" "$STATE/secrets/admin_password")
sleep 3
FRONT=$(cat "$SCALE/front.url")
log "then through the front $FRONT: two API hosts, three Galera nodes"
BEFORE=$(local_commits)
CLUSTERED=$(bench_lifecycles "$SCALE/tls/cert.pem" "$FRONT" "$SCALE/secrets/admin_password")
AFTER=$(local_commits)

printf '\nsingle machine:           %s\n' "$SINGLE"
printf 'two hosts, three nodes:   %s\n' "$CLUSTERED"
printf 'cluster / single machine: %s\n' "$(awk -v a="$(figure "$CLUSTERED")" -v b="$(figure "$SINGLE")" 'BEGIN { printf "%.2f", a / b }')"
printf 'Galera write round trips: %d commits for %d lifecycles = %s a lifecycle (wsrep_local_commits on all three nodes;\n' \
    "$((AFTER - BEFORE))" "$COUNT" "$(awk -v c="$((AFTER - BEFORE))" -v n="$COUNT" 'BEGIN { printf "%.1f", c / n }')"
printf '  the demo'"'"'s idle agents and the hosts'"'"' background work add a few)\n'
