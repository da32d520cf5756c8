#!/usr/bin/env bash
# make scale-demo: Calcflow past one machine, on one machine. Three MariaDB Galera nodes and two
# calcflow-api hosts, each in a network namespace of its own on a private bridge; a front nginx (TLS,
# the dashboard, an upstream of both hosts with passive health checks); two agents on two clusters
# talking HTTPS to the front. deploy/scale-out/ has the same layout on real hosts.
set -euo pipefail
source "$(dirname "$0")/common.sh"
[ "$(id -u)" = 0 ] || die "make scale-demo makes network namespaces: run it as root"
install_missing_packages "${DEBIAN_PACKAGES[@]}" galera-4 iproute2

# The tests bring their own binaries (CALCFLOW_BIN_DIR, a debug build); otherwise a release build.
if [ -z "${CALCFLOW_BIN_DIR:-}" ]; then
    log "building (release)"
    (cd "$REPO" && swift build -c release --product calcflow-api >/dev/null && swift build -c release --product calcflowctl >/dev/null \
        && swift build -c release --product calcflow-agent >/dev/null) || die "swift build failed; run 'swift build -c release' to see why"
fi

source "$(dirname "$0")/scale-common.sh"
[ -s "$SCALE/front.url" ] && die "a scale demo runs already ($(cat "$SCALE/front.url")); make scale-demo-stop first"
mkdir -p "$SCALE/run" "$SCALE/logs" "$SCALE/secrets"
chmod 700 "$SCALE/secrets"
FRONT_PORT="${CALCFLOW_SCALE_HTTPS_PORT:-9443}"
: > "$SCALE/namespaces"

log "a private bridge $BRIDGE ($NET.1/24) and a namespace per host"
ip link add "$BRIDGE" type bridge && ip addr add "$NET.1/24" dev "$BRIDGE" && ip link set "$BRIDGE" up
for host in db1:11 db2:12 db3:13 api1:21 api2:22; do
    name="cf-${host%%:*}"; address="$NET.${host##*:}"
    ip netns add "$name" && echo "$name" >> "$SCALE/namespaces"
    ip link add "$name-h" type veth peer name "$name-n"
    ip link set "$name-h" master "$BRIDGE" up
    ip link set "$name-n" netns "$name"
    ip -n "$name" addr add "$address/24" dev "$name-n"
    ip -n "$name" link set "$name-n" up
    ip -n "$name" link set lo up
done

log "Galera: db1 starts the cluster and gets the schema; db2, then db3, join it (a full state transfer each)"
mkdir -p "$SCALE/db1" && chown mysql:mysql "$SCALE/db1"
mariadb-install-db --datadir="$SCALE/db1" --user=mysql --auth-root-authentication-method=normal --skip-test-db \
    > "$SCALE/logs/install.log" 2>&1 || die "mariadb-install-db failed; see $SCALE/logs/install.log"
start_node 1 --wsrep-new-cluster
wait_synced 1
( umask 077; openssl rand -hex 24 > "$SCALE/secrets/db_password"; openssl rand -hex 32 > "$SCALE/secrets/jwt_secret" )
mariadb --socket="$SCALE/run/db1.sock" -uroot <<SQL
CREATE DATABASE calcflow CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'calcflow'@'$NET.%' IDENTIFIED BY '$(cat "$SCALE/secrets/db_password")';
GRANT ALL PRIVILEGES ON calcflow.* TO 'calcflow'@'$NET.%';
SQL
host_config() {  # host number, its nodes
    cat > "$SCALE/api$1.conf" <<CONF
# Written by make scale-demo.
socket = $NET.2$1:9000
db_hosts = $2
db_user = calcflow
db_password_file = $SCALE/secrets/db_password
db_name = calcflow
jwt_secret_file = $SCALE/secrets/jwt_secret
public_url = https://127.0.0.1:$FRONT_PORT
openapi_file = $REPO/Sources/CalcflowAPI/Resources/openapi.json
smtp_url = ${CALCFLOW_SMTP_URL:-}
lost_after = ${CALCFLOW_LOST_AFTER:-300}
mail_digest_window = ${CALCFLOW_MAIL_DIGEST_WINDOW:-600}
CONF
}
host_config 1 "$NET.11:3306, $NET.12:3306, $NET.13:3306"
host_config 2 "$NET.12:3306, $NET.13:3306, $NET.11:3306"
"$BIN_DIR/calcflowctl" migrate --config "$SCALE/api1.conf" | sed 's/^/calcflow: migrate: /' >&2
# One joiner at a time: a donor serves one state transfer at once.
start_node 2
wait_synced 2
start_node 3
wait_synced 3

ADMIN_PASSWORD_FILE="$SCALE/secrets/admin_password"
(umask 077; printf '%s\n' "${CALCFLOW_ADMIN_PASSWORD:-$(openssl rand -base64 18)}" > "$ADMIN_PASSWORD_FILE")
"$BIN_DIR/calcflowctl" user add --config "$SCALE/api1.conf" --email "$ADMIN_EMAIL" --role admin --name Administrator \
    --password-stdin --if-absent < "$ADMIN_PASSWORD_FILE" | sed 's/^/calcflow: /' >&2

log "two API hosts, FastCGI over TCP on $NET.21:9000 and $NET.22:9000"
start_api_host 1
start_api_host 2

log "the front nginx on https://127.0.0.1:$FRONT_PORT"
make_certificate "$SCALE"
render_nginx "$SCALE" "$REPO/www" "$FRONT_PORT" "$(( FRONT_PORT + 1 ))" "$(( FRONT_PORT + 2 ))"
cat > "$SCALE/nginx/calcflow-upstreams.conf" <<NGINX
# Written by make scale-demo: both API hosts (deploy/scale-out/calcflow-upstreams.conf).
upstream calcflow_api {
    server $NET.21:9000 max_fails=2 fail_timeout=10s;
    server $NET.22:9000 max_fails=2 fail_timeout=10s;
    keepalive 64;
}
upstream calcflow_api_stream {
    server $NET.21:9001 max_fails=2 fail_timeout=10s;
    server $NET.22:9001 max_fails=2 fail_timeout=10s;
}
NGINX
sed -i "s|fastcgi_pass unix:$SCALE/run/api-stream.sock;|fastcgi_pass calcflow_api_stream;|" "$SCALE/nginx/calcflow-locations.conf"
wait_api_host 1
wait_api_host 2
(without_inherited_fds nginx -p "$SCALE/nginx" -c "$SCALE/nginx/nginx.conf" -e "$SCALE/logs/nginx-error.log")
FRONT="https://127.0.0.1:$FRONT_PORT"

log "two clusters, an agent each, through the front"
for c in 1 2; do
    "$BIN_DIR/calcflowctl" cluster add --config "$SCALE/api1.conf" --name "scale-$c" --description "make scale-demo cluster $c" | sed 's/^/calcflow: /' >&2
    "$BIN_DIR/calcflowctl" cluster key --config "$SCALE/api1.conf" --name "scale-$c" --label "make scale-demo" \
        --output "$SCALE/secrets/agent$c.key" | sed 's/^/calcflow: /' >&2
    cat > "$SCALE/agent$c.conf" <<CONF
api_url = $FRONT
key_file = $SCALE/secrets/agent$c.key
ca_file = $SCALE/tls/cert.pem
work_root = $SCALE/work$c
heartbeat_interval = 5
claim_interval = 2
max_parallel = ${CALCFLOW_AGENT_MAX_PARALLEL:-8}
allow_command = true
CONF
    (without_inherited_fds "$BIN_DIR/calcflow-agent" run --config "$SCALE/agent$c.conf" >> "$SCALE/logs/agent$c.log" 2>&1) &
    echo $! > "$SCALE/run/agent$c.pid"
done
echo "$FRONT" > "$SCALE/front.url"
cat >&2 <<DONE

Calcflow runs past one machine: $FRONT/
  admin:     $ADMIN_EMAIL (password in $ADMIN_PASSWORD_FILE)
  database:  Galera db1 $NET.11, db2 $NET.12, db3 $NET.13 (namespaces cf-db1..3)
  API hosts: $NET.21:9000 and $NET.22:9000 (namespaces cf-api1, cf-api2)
  agents:    clusters scale-1 and scale-2
  logs:      $SCALE/logs/
  stop it:   make scale-demo-stop
DONE
