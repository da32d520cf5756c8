#!/usr/bin/env bash
# make model-image: (re)trains the example model on this Calcflow's xtb energies (when make run's stack
# answers) plus seed xtb runs, and builds its image on make run's podman engine.
set -euo pipefail
source "$(dirname "$0")/common.sh"
install_missing_packages "${DEBIAN_PACKAGES[@]}"
start_podman "$STATE"
URL="https://127.0.0.1:$HTTPS_PORT"
if curl -fsS --cacert "$STATE/tls/cert.pem" "$URL/api/v1/healthz" >/dev/null 2>&1 && [ -s "$STATE/secrets/admin_password" ]; then
    build_example_model_image "$STATE" "$URL" "$ADMIN_EMAIL" "$STATE/secrets/admin_password"
else
    build_example_model_image "$STATE"
fi
log "built localhost/calcflow/example-energy:1 on $STATE/run/podman.sock"
