# make scale-demo's layout, shared by scale-demo.sh, scale-demo-host.sh and scale-demo-stop.sh: where
# its state is, its private network, and how each of its hosts starts. Sourced after common.sh.
SCALE="$STATE/scale"
NET=10.77.0
BRIDGE=cf-scale-br
GALERA_OPTIONS=(--wsrep-on=ON --wsrep-provider=/usr/lib/galera/libgalera_smm.so --wsrep-cluster-address="gcomm://$NET.11,$NET.12,$NET.13")

# One Galera node: --skip-name-resolve, or the server's reverse lookup of each client hangs in a
# namespace; as the mysql user, since rsync's state transfer to a joining node fails under root.
start_node() {
    local n="$1"; shift
    mkdir -p "$SCALE/db$n" && chown mysql:mysql "$SCALE/db$n" "$SCALE/run" "$SCALE/logs"
    (without_inherited_fds ip netns exec "cf-db$n" mariadbd --no-defaults --user=mysql --datadir="$SCALE/db$n" \
        --socket="$SCALE/run/db$n.sock" --port=3306 --bind-address="$NET.1$n" --skip-name-resolve \
        --pid-file="$SCALE/run/db$n.pid" --log-error="$SCALE/logs/db$n.log" --innodb-buffer-pool-size=128M \
        --innodb-flush-log-at-trx-commit=2 --max-connections=500 --binlog-format=ROW --innodb-autoinc-lock-mode=2 \
        "${GALERA_OPTIONS[@]}" --wsrep-cluster-name=calcflow --wsrep-node-address="$NET.1$n" --wsrep-node-name="db$n" \
        --wsrep-sst-method=rsync "$@") &
}
# The position a node killed -9 had reached (its grastate.dat says -1 after a crash), recovered from
# InnoDB, so that it rejoins by IST (the writes it missed, from a donor's gcache) and not by a full
# state transfer. Prints the --wsrep-start-position option, or nothing for a node that stopped cleanly.
recovered_position() {
    local n="$1" position
    grep -q '^seqno: *-1' "$SCALE/db$n/grastate.dat" 2>/dev/null || return 0
    rm -f "$SCALE/logs/db$n-recover.log"
    # It reads the position from InnoDB and exits; the cluster address only has to be there.
    mariadbd --no-defaults --user=mysql --datadir="$SCALE/db$n" --skip-networking --socket="$SCALE/run/db$n-recover.sock" \
        --log-error="$SCALE/logs/db$n-recover.log" --innodb-buffer-pool-size=128M --binlog-format=ROW \
        "${GALERA_OPTIONS[@]}" --wsrep-recover >/dev/null 2>&1 || true
    position="$(sed -n 's/.*WSREP: Recovered position: *\([0-9a-f-]*:[0-9-]*\).*/\1/p' "$SCALE/logs/db$n-recover.log" 2>/dev/null | tail -1)"
    if [ -n "$position" ]; then echo "--wsrep-start-position=$position"; fi
}
node_state() { mariadb --socket="$SCALE/run/db$1.sock" -uroot -N -e "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2; }
wait_synced() {
    local n="$1" i
    for i in $(seq 360); do [ "$(node_state "$n")" = Synced ] && return 0; sleep 0.5; done
    die "Galera node db$n did not sync; see $SCALE/logs/db$n.log"
}

# One API host, in its namespace: FastCGI over TCP on $NET.2N:9000 (its stream port 9001).
start_api_host() {
    local h="$1"
    (without_inherited_fds ip netns exec "cf-api$h" "$BIN_DIR/calcflow-api" --config "$SCALE/api$h.conf" >> "$SCALE/logs/api$h.log" 2>&1) &
    echo $! > "$SCALE/run/api$h.pid"
}
wait_api_host() {
    local h="$1"
    for _ in $(seq 100); do (echo > "/dev/tcp/$NET.2$h/9000") 2>/dev/null && return 0; sleep 0.1; done
    die "API host api$h does not listen on $NET.2$h:9000; see $SCALE/logs/api$h.log"
}
