#!/usr/bin/env bash
# The project's test command: installs what the end-to-end tests need beyond a JDK, Maven and gcc when it is
# missing (tcpdump and chromium, from Debian's packages; root is needed for that and for the loopback capture),
# then builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash src/ci/install-test-tools.sh
exec mvn -B verify "$@"
