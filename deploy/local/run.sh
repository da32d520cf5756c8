#!/usr/bin/env bash
# make run: the whole of Calcflow on this machine, in the background, under $CALCFLOW_STATE_DIR.
set -euo pipefail
source "$(dirname "$0")/common.sh"

install_missing_packages "${DEBIAN_PACKAGES[@]}"

log "building (release)"
(cd "$REPO" && swift build -c release --product calcflow-api >/dev/null && swift build -c release --product calcflowctl >/dev/null \
    && swift build -c release --product calcflow-agent >/dev/null && swift build -c release --product calcflow-models >/dev/null) \
    || die "swift build failed; run 'swift build -c release' to see why"

mkdir -p "$STATE/run" "$STATE/logs" "$STATE/secrets"
trim_logs "$STATE/logs"
chmod 700 "$STATE/secrets"
secret() { [ -s "$STATE/secrets/$1" ] || (umask 077; openssl rand -hex 32 > "$STATE/secrets/$1"); }
secret jwt_secret
secret db_password

make_certificate "$STATE"
start_mariadb "$STATE"
DB_SOCKET="$STATE/run/mariadb.sock"
mariadb --socket="$DB_SOCKET" -uroot <<SQL
CREATE DATABASE IF NOT EXISTS calcflow CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'calcflow'@'localhost' IDENTIFIED BY '$(cat "$STATE/secrets/db_password")';
GRANT ALL PRIVILEGES ON calcflow.* TO 'calcflow'@'localhost';
SQL

CONFIG="$STATE/calcflow.conf"
cat > "$CONFIG.new" <<CONF
# Written by make run; change the environment variables of make run instead of this file.
socket = $STATE/run/api.sock
stream_socket = $STATE/run/api-stream.sock
socket_mode = 0660
# nginx's workers run as this user (as root when make run is root), so its group may connect.
socket_group = $(id -gn)
threads = ${CALCFLOW_THREADS:-$(( 2 * $(nproc) ))}
db_socket = $DB_SOCKET
db_user = calcflow
db_password_file = $STATE/secrets/db_password
db_name = calcflow
jwt_secret_file = $STATE/secrets/jwt_secret
public_url = https://127.0.0.1:$HTTPS_PORT
openapi_file = $REPO/Sources/CalcflowAPI/Resources/openapi.json
smtp_url = ${CALCFLOW_SMTP_URL:-}
CONF
# A running API keeps running unless its binary was rebuilt or its settings changed.
API_PID="$STATE/run/calcflow-api.pid"
stop_if_outdated "$CONFIG" "$BIN_DIR/calcflow-api" "$API_PID" calcflow-api
export CALCFLOW_CONFIG="$CONFIG"
# make run's own variables are not API settings: keep them out of the API's environment overrides.
unset CALCFLOW_STATE_DIR CALCFLOW_HTTPS_PORT CALCFLOW_HTTP_PORT CALCFLOW_BENCH_PORT CALCFLOW_ADMIN_EMAIL CALCFLOW_BIN_DIR CALCFLOW_THREADS CALCFLOW_SMTP_URL

"$BIN_DIR/calcflowctl" migrate --config "$CONFIG" | sed 's/^/calcflow: migrate: /' >&2

ADMIN_PASSWORD_FILE="$STATE/secrets/admin_password"
if [ ! -s "$ADMIN_PASSWORD_FILE" ]; then
    if [ -n "${CALCFLOW_ADMIN_PASSWORD:-}" ]; then
        (umask 077; printf '%s\n' "$CALCFLOW_ADMIN_PASSWORD" > "$ADMIN_PASSWORD_FILE")
    else
        (umask 077; openssl rand -base64 18 > "$ADMIN_PASSWORD_FILE")
    fi
elif [ -n "${CALCFLOW_ADMIN_PASSWORD:-}" ] && [ "$CALCFLOW_ADMIN_PASSWORD" != "$(cat "$ADMIN_PASSWORD_FILE")" ]; then
    log "CALCFLOW_ADMIN_PASSWORD is ignored: $ADMIN_EMAIL exists already; change its password in the dashboard (Your account)"
fi
unset CALCFLOW_ADMIN_PASSWORD
"$BIN_DIR/calcflowctl" user add --config "$CONFIG" --email "$ADMIN_EMAIL" --role admin --name Administrator \
    --password-stdin --if-absent < "$ADMIN_PASSWORD_FILE" | sed 's/^/calcflow: /' >&2

if ! pid_alive "$API_PID"; then
    without_inherited_fds "$BIN_DIR/calcflow-api" --config "$CONFIG" >>"$STATE/logs/calcflow-api.log" 2>&1 &
    echo $! > "$API_PID"
    disown
fi

# A reload only when the rendered config changed: a reload ends the old workers' long responses.
nginx_config_sum() { { cat "$STATE"/nginx/*.conf 2>/dev/null || true; } | sha256sum; }
NGINX_BEFORE=$(nginx_config_sum)
render_nginx "$STATE" "$REPO/www" "$HTTPS_PORT" "$HTTP_PORT" "$BENCH_PORT"
nginx -t -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" -e "$STATE/logs/nginx-error.log" >/dev/null 2>&1 \
    || die "the nginx config does not load: nginx -t -p $STATE/nginx -c $STATE/nginx/nginx.conf"
if pid_alive "$STATE/run/nginx.pid"; then
    [ "$(nginx_config_sum)" = "$NGINX_BEFORE" ] || nginx -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" -e "$STATE/logs/nginx-error.log" -s reload
else
    (without_inherited_fds nginx -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" -e "$STATE/logs/nginx-error.log")
fi

# A local agent on the cluster "local": this machine's xtb and pw.x, run by the local executor.
"$BIN_DIR/calcflowctl" cluster add --config "$CONFIG" --name local --description "this machine (make run)" | sed 's/^/calcflow: /' >&2
[ -s "$STATE/secrets/agent_key" ] || "$BIN_DIR/calcflowctl" cluster key --config "$CONFIG" --name local --label "make run" \
    --output "$STATE/secrets/agent_key" | sed 's/^/calcflow: /' >&2
AGENT_CONFIG="$STATE/agent.conf"
# How many calculations the local agent runs at once: one per core unless told.
AGENT_MAX_PARALLEL="${CALCFLOW_AGENT_MAX_PARALLEL:-$(nproc)}"
[[ "$AGENT_MAX_PARALLEL" =~ ^[0-9]+$ ]] && [ "$AGENT_MAX_PARALLEL" -ge 1 ] && [ "$AGENT_MAX_PARALLEL" -le 256 ] \
    || die "CALCFLOW_AGENT_MAX_PARALLEL must be a whole number from 1 to 256, not '$AGENT_MAX_PARALLEL'"
cat > "$AGENT_CONFIG.new" <<CONF
# Written by make run.
api_url = https://127.0.0.1:$HTTPS_PORT
key_file = $STATE/secrets/agent_key
ca_file = $STATE/tls/cert.pem
work_root = $STATE/work
heartbeat_interval = 10
claim_interval = 2
max_parallel = $AGENT_MAX_PARALLEL
# One person's machine: command calculations run here (a user's only once a moderator approved it).
allow_command = true
CONF
AGENT_PID="$STATE/run/calcflow-agent.pid"
stop_if_outdated "$AGENT_CONFIG" "$BIN_DIR/calcflow-agent" "$AGENT_PID" calcflow-agent
if ! pid_alive "$AGENT_PID"; then
    without_inherited_fds "$BIN_DIR/calcflow-agent" run --config "$AGENT_CONFIG" >>"$STATE/logs/calcflow-agent.log" 2>&1 &
    echo $! > "$AGENT_PID"
    disown
fi

URL="https://127.0.0.1:$HTTPS_PORT/"
tries=0
until curl -fsS --cacert "$STATE/tls/cert.pem" "${URL}api/v1/healthz" >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ $tries -gt 150 ] && die "calcflow-api did not become healthy; see $STATE/logs/calcflow-api.log"
    sleep 0.2
done

# Models: podman's Docker-compatible service, calcflow-models with a key of its own, and the example
# model, trained on this Calcflow's xtb energies plus seed runs, registered and started once.
MODELS_LINE="no container engine answers here (podman's service did not start; see $STATE/logs/podman.log): the rest runs without models"
if command -v podman >/dev/null 2>&1 && (start_podman "$STATE") 2>>"$STATE/logs/podman.log"; then
    podman_environment "$STATE"
    podman image exists localhost/calcflow/example-energy:1 \
        || build_example_model_image "$STATE" "$URL" "$ADMIN_EMAIL" "$ADMIN_PASSWORD_FILE"
    [ -s "$STATE/secrets/models_key" ] || "$BIN_DIR/calcflowctl" controller key --config "$CONFIG" --label "make run" \
        --output "$STATE/secrets/models_key" | sed 's/^/calcflow: /' >&2
    MODELS_CONFIG="$STATE/models.conf"
    cat > "$MODELS_CONFIG.new" <<CONF
# Written by make run.
api_url = https://127.0.0.1:$HTTPS_PORT
key_file = $STATE/secrets/models_key
ca_file = $STATE/tls/cert.pem
engine_socket = $STATE/run/podman.sock
name = make-run
CONF
    MODELS_PID="$STATE/run/calcflow-models.pid"
    stop_if_outdated "$MODELS_CONFIG" "$BIN_DIR/calcflow-models" "$MODELS_PID" calcflow-models
    if ! pid_alive "$MODELS_PID"; then
        without_inherited_fds "$BIN_DIR/calcflow-models" run --config "$MODELS_CONFIG" >>"$STATE/logs/calcflow-models.log" 2>&1 &
        echo $! > "$MODELS_PID"
        disown
    fi
    MODELS_LINE=$(/usr/bin/python3 "$REPO/deploy/local/example_model.py" "$URL" "$ADMIN_EMAIL" "$ADMIN_PASSWORD_FILE" "$STATE/tls/cert.pem") \
        || MODELS_LINE="the example model could not be registered; see $STATE/logs/calcflow-models.log"
fi

cat <<DONE

Calcflow is running: $URL
  admin:     $ADMIN_EMAIL
  password:  $(cat "$ADMIN_PASSWORD_FILE")   (as first set; kept in $ADMIN_PASSWORD_FILE)
  the certificate is self-signed: $STATE/tls/cert.pem
  agent:     cluster "local" runs xtb and pw.x here; its work folder is $STATE/work
  command:   enabled on "local" (allow_command = true): approved scripts run as $(id -un) on this machine
  models:    $MODELS_LINE
  logs:      $STATE/logs/
  stop it:   make stop       status: make status
DONE
