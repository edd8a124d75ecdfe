#!/usr/bin/env bash
# Installs everything lkbrowser needs to build, run and test on Debian
# bookworm (as root, or with sudo). Idempotent: packages already present are
# not reinstalled, and apt's lists are refreshed only when something is missing.
set -euo pipefail

# Runtime: the browser, its private display, fonts.
runtime=(chromium xvfb xauth fonts-dejavu-core pulseaudio)
# Build: C headers of the cgo capture bridge (xcap) and of dev mode's viewer
# window (xview: xcb-keysyms), of the display resize (xrandr: xcb-randr),
# and pkg-config.
build=(gcc pkg-config libpulse-dev libxcb1-dev libxcb-shm0-dev libxcb-damage0-dev libxcb-xfixes0-dev libxcb-keysyms1-dev libxcb-randr0-dev libxcb-xtest0-dev libvpx-dev libyuv-dev libopus-dev libopusfile-dev libsoxr-dev)
# Tests and debugging aids (xdotool: real X input in the dev-mode tests).
# util-linux (unshare) and iproute2 (ip): the private network namespace of
# the LiveKit tests (internal/testing/netns). redis-server: the multi-node LiveKit
# tests of tests/scaleout (started by the tests on loopback, never as a service).
tests=(x11-utils procps util-linux iproute2 xdotool ffmpeg redis-server)

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

# livekit-server for the LiveKit tests and for `lkbrowser publish` without a
# server URL (internal/lkserver). Built from source: v1.13.6 and later cannot
# be installed from the module proxy (their go.mod replaces pion modules with
# forks it does not serve). The build takes about 2 minutes.
lk_version=1.13.5
lk_have="$(livekit-server --version 2>/dev/null || true)"
if [ "$lk_have" = "livekit-server version $lk_version" ]; then
  echo "setup: livekit-server $lk_version present"
else
  echo "setup: building livekit-server $lk_version (about 2 minutes)"
  lk_tmp="$(mktemp -d)"
  GOBIN="$lk_tmp" go install "github.com/livekit/livekit-server/cmd/server@v$lk_version" || { rm -rf "$lk_tmp"; exit 1; }
  $SUDO install -m 0755 "$lk_tmp/server" /usr/local/bin/livekit-server || { rm -rf "$lk_tmp"; exit 1; }
  rm -rf "$lk_tmp"
  lk_have="$(livekit-server --version 2>/dev/null || true)"
  if [ "$lk_have" != "livekit-server version $lk_version" ]; then
    echo "setup: warning: installed /usr/local/bin/livekit-server, but livekit-server on PATH ($(command -v livekit-server || echo none)) reports: ${lk_have:-nothing}" >&2
  fi
fi

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
# --- Viewer (internal/viewer) -----------------------------------------------
# livekit-client for the viewer page that `lkbrowser publish` serves, exactly
# as internal/viewer/web/package-lock.json pins it, installed the same way as
# playwright-core above. Its browser bundle is copied into web/vendor/, which
# the Go package embeds (gitignored; rebuild Go after setup changes it).
vw="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/internal/viewer/web"
vw_stamp="$vw/node_modules/.package-lock.sha256"
vw_sum="$(sha256sum "$vw/package-lock.json" | cut -d' ' -f1)"
vw_dist="$vw/node_modules/livekit-client/dist/livekit-client.umd.js"
if [ -f "$vw_stamp" ] && [ "$(cat "$vw_stamp")" = "$vw_sum" ] && [ -f "$vw_dist" ]; then
  echo "setup: livekit-client present"
else
  echo "setup: npm ci in internal/viewer/web"
  (cd "$vw" && NPM_CONFIG_UPDATE_NOTIFIER=false npm ci --no-audit --no-fund --loglevel=error)
  echo "$vw_sum" >"$vw_stamp"
fi
if cmp -s "$vw_dist" "$vw/vendor/livekit-client.umd.js"; then
  echo "setup: viewer vendor bundle up to date"
else
  echo "setup: copying livekit-client.umd.js to internal/viewer/web/vendor"
  cp "$vw_dist" "$vw/vendor/.livekit-client.umd.js.tmp"
  mv "$vw/vendor/.livekit-client.umd.js.tmp" "$vw/vendor/livekit-client.umd.js"
fi
# --- end viewer ----------------------------------------------------------------
echo "setup: done"
