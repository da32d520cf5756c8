#!/usr/bin/env bash
# make test: builds, then runs every test. The integration tests start their own MariaDB and nginx.
set -euo pipefail
source "$(dirname "$0")/common.sh"
install_missing_packages "${DEBIAN_PACKAGES[@]}" "${TEST_DEBIAN_PACKAGES[@]}"
install_missing_python_packages "${TEST_PYTHON_PACKAGES[@]}"
cd "$REPO"
swift build --build-tests
CALCFLOW_BIN_DIR="$(swift build --show-bin-path)" swift test --skip-build "$@"
