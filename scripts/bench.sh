#!/usr/bin/env bash
# Runs the benchmark harness, bench/cmd/lkbench (a module of its own, so that
# its chart library stays out of lkbrowser's go.mod), which measures lkbrowser against
# its baselines on this machine in one run and writes docs/benchmarks.md
# (tables, ratios, PNG charts in docs/benchmarks/): frames into Go against
# chromedp's screencast of headless Chromium, publishing against the LiveKit
# Egress way (GStreamer), and the micro-benchmarks of the frame path.
# Usage: bash scripts/bench.sh [-quick] [-only frames,publish] [-out FILE] [-v]
#
# Needs what scripts/setup.sh installs; installs GStreamer here (the
# publishing baseline), idempotently, as root or with sudo: only the
# benchmark uses it. Run it on a quiet machine: other load shows in the
# figures (the report gives the rest of the machine's CPU per run).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

gst=(gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-pulseaudio)
missing=()
for p in "${gst[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "bench: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Built from bench/ and run from the repository's root, where its default
# -out (docs/benchmarks.md) lives.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go -C bench build -o "$tmp/lkbench" ./cmd/lkbench
"$tmp/lkbench" "$@"
