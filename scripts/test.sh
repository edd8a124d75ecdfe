#!/usr/bin/env bash
# The project's test command: installs what the tests need (scripts/setup.sh),
# then runs every test against real Chromium, Xvfb and PulseAudio.
#
# Unit tests and the cgo bridges run under the race detector. The end-to-end
# tests (tests/) run without it: they are dominated by the real browsers, and
# the detector's slowdown on a 2-core machine only adds noise. Packages run
# one at a time (-p 1): each Chromium page costs real CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PATH:/usr/local/go/bin"
go vet ./...
# Every package but the end-to-end ones (tests/...), so that a new package's
# unit tests run without being listed here.
go test -p 1 -race -count=1 -timeout 15m $(go list ./... | grep -v '/lkbrowser/tests')
# The benchmark harness is a module of its own (bench/go.mod).
(cd bench && go vet ./... && go test -p 1 -race -count=1 -timeout 10m ./...)
# A short run of each fuzz target (one -fuzz per command) on top of its seed
# corpus in testdata/fuzz: the room's input decoder and the URL policy.
# The budget is a count of executions (about 10-15 s here), not a duration:
# Go 1.26's fuzz coordinator can fail a duration-bounded run with a spurious
# "context deadline exceeded" when its deadline fires (golang/go#75804, fixed
# in Go 1.27); that is what failed CI once on a loaded machine.
go test -run '^$' -fuzz '^FuzzDecodeInput$' -fuzztime 100000x ./lksession
go test -run '^$' -fuzz '^FuzzURLPolicy$' -fuzztime 100000x .
# The end-to-end test of frame ownership at the cgo boundary (releases racing
# Page.Close and Resize) also runs under the race detector.
go test -p 1 -race -count=1 -timeout 5m -run '^TestFrameReleaseRacesCloseAndResize$' ./tests
go test -p 1 -count=1 -timeout 30m "$@" ./tests/...
