# Shared by run.sh, stop.sh, status.sh, bench.sh and the test harness: where things live.
# shellcheck shell=bash
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${CALCFLOW_STATE_DIR:-$REPO/.calcflow}"
mkdir -p "$STATE" && STATE="$(cd "$STATE" && pwd)"
HTTPS_PORT="${CALCFLOW_HTTPS_PORT:-8443}"
HTTP_PORT="${CALCFLOW_HTTP_PORT:-8080}"
BENCH_PORT="${CALCFLOW_BENCH_PORT:-8442}"
ADMIN_EMAIL="${CALCFLOW_ADMIN_EMAIL:-admin@localhost}"
BIN_DIR="${CALCFLOW_BIN_DIR:-$REPO/.build/release}"

DEBIAN_PACKAGES=(libfcgi-dev libmariadb-dev libjansson-dev libcurl4-openssl-dev libargon2-dev libssl-dev
    pkg-config nginx mariadb-server libjs-chart.js openssl curl ca-certificates wrk
    xtb quantum-espresso quantum-espresso-data time
    podman runc catatonit uidmap slirp4netns fuse-overlayfs containernetworking-plugins debootstrap python3-numpy)
# What the tests need beyond that: a real browser for the dashboard, Python to drive it.
TEST_DEBIAN_PACKAGES=(chromium python3 python3-pip slurm-wlm munge galera-4 iproute2)
# Each as PyPI-name[:import-name] when the two differ.
TEST_PYTHON_PACKAGES=(playwright aiosmtpd axe-playwright-python:axe_playwright_python)

log() { printf 'calcflow: %s\n' "$*" >&2; }
die() { printf 'calcflow: error: %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Installs the Debian packages that are missing, and only those.
install_missing_packages() {
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Replaces the current subshell with a command that holds none of its parent's open descriptors
# (above stderr), so a daemon left behind keeps no test runner waiting on a pipe or socket.
# Call it in the background (`without_inherited_fds cmd &`) or in a subshell (`(without_inherited_fds cmd)`).
without_inherited_fds() {
    [ "$BASHPID" != "$$" ] || die "without_inherited_fds must run in a subshell"
    local fd
    for fd in /proc/self/fd/*; do
        fd="${fd##*/}"
        [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
    done
    exec "$@" </dev/null
}

# Installs the PyPI packages that the first python3 on PATH lacks.
install_missing_python_packages() {
    local missing=() package
    for package in "$@"; do
        python3 -c "import ${package#*:}" 2>/dev/null || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing from PyPI: ${missing[*]%%:*}"
    python3 -m pip install -q --disable-pip-version-check "${missing[@]%%:*}" 2>&1 | grep -v 'Running pip as the' >&2 || true
    for package in "${missing[@]}"; do python3 -c "import ${package#*:}" || die "could not install ${package%%:*} from PyPI"; done
}

pid_alive() { local pid; pid="$(cat "$1" 2>/dev/null)" && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

# Sends a signal (SIGTERM unless told) to the process recorded in a pid file and waits for it to go.
stop_pid() {
    local file="$1" name="$2" signal="${3:-TERM}" pid tries=0
    if ! pid_alive "$file"; then rm -f "$file"; return 0; fi
    pid="$(cat "$file")"
    kill -"$signal" "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ $tries -lt 100 ]; do sleep 0.1; tries=$((tries + 1)); done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; log "$name did not stop in 10 s; killed"; fi
    rm -f "$file"
    log "stopped $name"
}

# Puts a daemon's freshly written config ($1.new) in place of $1, and stops the daemon of pid file $3
# when its binary $2 was rebuilt or the config changed: the caller then starts it again.
# Usage: stop_if_outdated CONFIG BINARY PID_FILE NAME
stop_if_outdated() {
    local config="$1" binary="$2" pid_file="$3" name="$4" outdated=false
    cmp -s "$config.new" "$config" || outdated=true
    mv "$config.new" "$config"
    if [ "$binary" -nt "$pid_file" ]; then outdated=true; fi
    if $outdated && pid_alive "$pid_file"; then
        log "$name was rebuilt or reconfigured: restarting it"
        stop_pid "$pid_file" "$name"
    fi
}

# Renders the repository's nginx files for a private nginx under $1 (state dir), serving $2 (www).
# Usage: render_nginx STATE WWW HTTPS_PORT HTTP_PORT BENCH_PORT
render_nginx() {
    local state="$1" www="$2" https_port="$3" http_port="$4" bench_port="$5" conf="$1/nginx"
    mkdir -p "$conf" "$state/nginx/temp" "$state/logs"
    local rewrite=(
        -e "s|/usr/share/calcflow/www|$www|g"
        -e "s|/run/calcflow/|$state/run/|g"
        -e "s|/etc/nginx/snippets/|$conf/|g"
        -e "s|/etc/ssl/calcflow/fullchain.pem|$state/tls/cert.pem|g"
        -e "s|/etc/ssl/calcflow/privkey.pem|$state/tls/key.pem|g"
        -e "s|listen 443 ssl http2;|listen 127.0.0.1:$https_port ssl http2;|"
        -e "s|listen 80;|listen 127.0.0.1:$http_port;|"
        -e "/listen \[::\]/d"
        -e "s|server_name calcflow.example.org;|server_name _;|"
        -e "s|https://\$host\$request_uri|https://\$host:$https_port\$request_uri|"
    )
    sed "${rewrite[@]}" "$REPO/nginx/calcflow-fastcgi.conf" > "$conf/calcflow-fastcgi.conf"
    sed "${rewrite[@]}" "$REPO/nginx/calcflow-locations.conf" > "$conf/calcflow-locations.conf"
    sed "${rewrite[@]}" "$REPO/nginx/calcflow-upstreams.conf" > "$conf/calcflow-upstreams.conf"
    sed "${rewrite[@]}" "$REPO/nginx/calcflow.conf" > "$conf/calcflow-site.conf"
    local user_line=""
    [ "$(id -u)" = 0 ] && user_line="user root;"
    cat > "$conf/nginx.conf" <<NGINX
# Generated by deploy/local/common.sh from nginx/: edit those, not this.
$user_line
worker_processes auto;
pid $state/run/nginx.pid;
error_log $state/logs/nginx-error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $state/logs/nginx-access.log combined buffer=64k flush=2s;
    client_body_temp_path $state/nginx/temp/client_body;
    proxy_temp_path $state/nginx/temp/proxy;
    fastcgi_temp_path $state/nginx/temp/fastcgi;
    uwsgi_temp_path $state/nginx/temp/uwsgi;
    scgi_temp_path $state/nginx/temp/scgi;
    sendfile on;
    server_tokens off;
    include $conf/calcflow-site.conf;

    # Bare nginx answering 204 over the same TLS, the ceiling that make bench compares against.
    server {
        listen 127.0.0.1:$bench_port ssl http2;
        ssl_certificate $state/tls/cert.pem;
        ssl_certificate_key $state/tls/key.pem;
        access_log $state/logs/nginx-access.log combined buffer=64k flush=2s;
        location / { return 204; }
        # The FastCGI ceiling: deploy/bench/fastcgi-ceiling.c, a bare threaded libfcgi responder.
        location = /fastcgi-ceiling {
            include /etc/nginx/fastcgi_params;
            fastcgi_pass unix:$state/run/fastcgi-ceiling.sock;
        }
    }
}
NGINX
}

# A self-signed certificate for 127.0.0.1 and localhost.
make_certificate() {
    local dir="$1/tls"
    [ -f "$dir/cert.pem" ] && return 0
    mkdir -p "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=localhost" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1 || die "openssl could not make a certificate"
    chmod 600 "$dir/key.pem"
}

# A private MariaDB data dir under $1, started on a unix socket only.
start_mariadb() {
    local state="$1" data="$1/mariadb" socket="$1/run/mariadb.sock" user_option=()
    mkdir -p "$state/run" "$state/logs"
    # The sockets' folder is this user's (and its group's, which nginx's workers are in) alone: the
    # MariaDB socket lets its root in without a password, and the API's sockets are 0660.
    chmod 750 "$state/run"
    [ "$(id -u)" = 0 ] && user_option=(--user=root)
    if [ ! -d "$data/mysql" ]; then
        log "creating a MariaDB data dir in $data"
        mariadb-install-db --datadir="$data" "${user_option[@]}" --auth-root-authentication-method=normal \
            --skip-test-db >"$state/logs/mariadb-install.log" 2>&1 || die "mariadb-install-db failed; see $state/logs/mariadb-install.log"
    fi
    if pid_alive "$state/run/mariadb.pid"; then return 0; fi
    without_inherited_fds mariadbd --no-defaults --datadir="$data" --socket="$socket" --skip-networking "${user_option[@]}" \
        --pid-file="$state/run/mariadb.pid" --log-error="$state/logs/mariadb.log" \
        --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=2 --max-connections=1000 --thread-handling=pool-of-threads \
        >>"$state/logs/mariadb.log" 2>&1 &
    disown
    local tries=0
    until mariadb --socket="$socket" -uroot -e 'SELECT 1' >/dev/null 2>&1; do
        tries=$((tries + 1)); [ $tries -gt 300 ] && die "MariaDB did not start; see $state/logs/mariadb.log"
        sleep 0.1
    done
}

# A single-node Slurm under $1 (slurm-wlm and munge), for the Slurm executor's tests: munged as the
# munge user, slurmctld and slurmd as root, everything else in the private folder. Prints SLURM_CONF.
start_slurm() {
    local dir="$1" conf="$1/slurm.conf"
    mkdir -p "$dir/state" "$dir/spool" "$dir/log" /run/munge
    chown munge:munge /run/munge
    [ -s /etc/munge/munge.key ] || { mungekey --create >/dev/null 2>&1 || create-munge-key -f >/dev/null 2>&1; }
    if ! pgrep -x munged >/dev/null; then
        (without_inherited_fds runuser -u munge -- /usr/sbin/munged --force) || die "munged did not start"
    fi
    local cpus; cpus=$(nproc)
    cat > "$conf" <<SLURM
ClusterName=calcflow-test
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
MailProg=/bin/true
MinJobAge=300
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=$(( ${2:-16817} ))
SlurmdPort=$(( ${2:-16817} + 1 ))
NodeName=localhost CPUs=$cpus RealMemory=2000
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
SLURM
    SLURM_CONF="$conf" without_inherited_fds /usr/sbin/slurmctld -D -f "$conf" >>"$dir/log/slurmctld.out" 2>&1 &
    echo $! > "$dir/slurmctld.run.pid"
    SLURM_CONF="$conf" without_inherited_fds /usr/sbin/slurmd -D -N localhost -f "$conf" >>"$dir/log/slurmd.out" 2>&1 &
    echo $! > "$dir/slurmd.run.pid"
    local tries=0
    until SLURM_CONF="$conf" sinfo -h -o '%T' 2>/dev/null | grep -qE '^idle'; do
        tries=$((tries + 1)); [ $tries -gt 100 ] && die "Slurm did not come up; see $dir/log"
        sleep 0.2
    done
    echo "$conf"
}

stop_slurm() {
    stop_pid "$1/slurmd.run.pid" slurmd
    stop_pid "$1/slurmctld.run.pid" slurmctld
}

# A container engine for the model controller: podman's Docker-compatible service on
# $1/run/podman.sock, with its storage under $1/podman (ENVIRONMENT.md: runc, cgroupfs, file events).
podman_environment() {
    export CONTAINERS_CONF="$1/podman/containers.conf" CONTAINERS_STORAGE_CONF="$1/podman/storage.conf"
}

start_podman() {
    local state="$1" socket="$1/run/podman.sock"
    mkdir -p "$state/podman" "$state/run" "$state/logs"
    cat > "$state/podman/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
    cat > "$state/podman/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$state/podman/storage"
runroot = "$state/podman/run"
CONF
    podman_environment "$state"
    if ! pid_alive "$state/run/podman.pid"; then
        rm -f "$socket"
        without_inherited_fds podman system service --time=0 "unix://$socket" >>"$state/logs/podman.log" 2>&1 &
        echo $! > "$state/run/podman.pid"
        disown
    fi
    local tries=0
    until curl -fsS --unix-socket "$socket" http://engine/_ping >/dev/null 2>&1; do
        tries=$((tries + 1))
        [ $tries -gt 100 ] && die "podman's service did not answer on $socket; see $state/logs/podman.log"
        sleep 0.1
    done
}

# The base of model images, made here since no registry is reachable: Debian's minbase with python3
# and numpy, by debootstrap (about a minute, from Debian's mirror), kept in /var/tmp between runs.
build_base_image() {
    podman_environment "$1"
    podman image exists localhost/calcflow/base:bookworm && return 0
    local rootfs=/var/tmp/calcflow-base-bookworm
    if [ ! -x "$rootfs/usr/bin/python3" ]; then
        log "building the model base image with debootstrap (about a minute)"
        as_root rm -rf "$rootfs.partial"
        as_root debootstrap --variant=minbase --include=python3,python3-numpy bookworm "$rootfs.partial" >"$1/logs/debootstrap.log" 2>&1 \
            || die "debootstrap failed; see $1/logs/debootstrap.log"
        as_root mv "$rootfs.partial" "$rootfs"
    fi
    as_root tar -C "$rootfs" -c . | podman import - localhost/calcflow/base:bookworm >/dev/null || die "podman import of the base image failed"
}

# The example model's image (models/example-energy), trained on this Calcflow's own xtb energies when
# it can sign in ($2 = API URL, $3 = email, $4 = password file), plus seed xtb runs of small molecules.
build_example_model_image() {
    local state="$1" context="$1/models/example-energy" train_options=(--seed-with-xtb)
    podman_environment "$state"
    build_base_image "$state"
    mkdir -p "$context"
    cp "$REPO"/models/example-energy/{model.py,serve.py,train.py,Containerfile} "$context/"
    [ -n "${2:-}" ] && train_options+=(--api "$2" --email "$3" --password-file "$4" --ca-file "$state/tls/cert.pem")
    /usr/bin/python3 "$context/train.py" --output "$context/weights.json" "${train_options[@]}" | sed 's/^/calcflow: example model: /' >&2 \
        || die "training the example model failed"
    podman build --network none -q -t localhost/calcflow/example-energy:1 "$context" >/dev/null || die "podman build of the example model failed"
}

# make run's logs are files that nothing rotates (a server's nginx and journald have their own), and a
# few benches write a gigabyte of access log. On each make run, a log past 256 MB keeps its last 64 MB
# as <log>.1 and starts again. In place (copy, then truncate): the processes that hold it open append,
# so they write on at its new end, whether or not this make run restarts them.
trim_logs() {
    local folder=$1 file size
    for file in "$folder"/*.log; do
        [ -f "$file" ] || continue
        size=$(stat -c %s "$file")
        [ "$size" -gt $((256 * 1024 * 1024)) ] || continue
        # From the first whole line.
        tail -c $((64 * 1024 * 1024)) "$file" | tail -n +2 > "$file.1"
        truncate -s 0 "$file"
        log "$(basename "$file") was $((size / 1024 / 1024)) MB: its last 64 MB are in $(basename "$file").1"
    done
}

