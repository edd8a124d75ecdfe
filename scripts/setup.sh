#!/usr/bin/env bash
# Installs everything lkbrowser needs to build, run and test on Debian
# bookworm (as root, or with sudo). Idempotent: packages already present are
# not reinstalled, and apt's lists are refreshed only when something is missing.
set -euo pipefail

# Runtime: the browser, its private display, fonts.
runtime=(chromium xvfb xauth fonts-dejavu-core pulseaudio)
# Build: C headers of the cgo capture bridge (xcap) and of dev mode's viewer
# window (xview: xcb-keysyms), and pkg-config.
build=(gcc pkg-config libpulse-dev libxcb1-dev libxcb-shm0-dev libxcb-damage0-dev libxcb-xfixes0-dev libxcb-keysyms1-dev libvpx-dev libyuv-dev libopus-dev libopusfile-dev libsoxr-dev)
# Tests and debugging aids (xdotool: real X input in the dev-mode tests).
tests=(x11-utils procps iproute2 xdotool ffmpeg)

want=("${runtime[@]}" "${build[@]}" "${tests[@]}")
missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# Node.js and npm run the Playwright client of tests/devtools_test.go. Any
# node on PATH will do (e.g. from NodeSource); Debian's only when there is none.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: system packages present"
fi

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="$PATH:/usr/local/go/bin"
fi
command -v go >/dev/null 2>&1 || { echo "setup: Go is required (https://go.dev/doc/install)" >&2; exit 1; }
go mod download

# playwright-core for tests/devtools_test.go, exactly as package-lock.json
# pins it. npm ci runs again only when the lock file changed since the last
# install (its sha256 is stamped into node_modules).
pw="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/playwright"
stamp="$pw/node_modules/.package-lock.sha256"
lock_sum="$(sha256sum "$pw/package-lock.json" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ] && [ -f "$pw/node_modules/playwright-core/package.json" ]; then
  echo "setup: playwright-core present"
else
  echo "setup: npm ci in tests/playwright"
  (cd "$pw" && NPM_CONFIG_UPDATE_NOTIFIER=false npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" >"$stamp"
fi
echo "setup: done"
