#!/usr/bin/env bash
# The project's test command: installs what the tests need (scripts/setup.sh),
# then runs every test against real Chromium and Xvfb. Packages run one at a
# time (-p 1): each Chromium page costs real CPU on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PATH:/usr/local/go/bin"
go vet ./...
go test -p 1 -race -count=1 -timeout 20m "$@" ./...
