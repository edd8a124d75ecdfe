#!/usr/bin/env bash
# Fresh-machine check: proves that scripts/setup.sh installs everything the
# build, the CLI and the tests need on a machine that has only Debian
# bookworm and Go. Called by .ci/run before the tests; run it by hand as
# root:
#
#   bash scripts/fresh-check.sh
#
# It makes a minimal bookworm root (debootstrap --variant=minbase, cached as a
# tarball in $LKBROWSER_FRESH_CACHE, default /var/cache/lkbrowser, so later
# runs unpack it in seconds), copies this machine's Go and the checkout's
# tracked files into it, and inside a chroot with its own /proc, /dev,
# /dev/shm and /tmp (a private mount and PID namespace: nothing stays mounted
# or running when it ends) runs `bash scripts/setup.sh`, builds
# ./cmd/lkbrowser and takes a screenshot of a local page whose colours it
# checks (internal/testing/freshcheck). A package missing from setup.sh fails
# it with the failing command's own error.
#
# What belongs to the machine rather than to the project is read at run time
# and never written into the repository: the Debian mirror apt is configured
# with (its sources and Acquire:: settings), the DNS configuration, the CA
# certificates (the bundle and /usr/local/share/ca-certificates: registries
# may be reached through the machine's own trust store), the proxy and
# certificate environment variables, and Go's and npm's registry settings.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { echo "fresh-check: $*"; }
die() { echo "fresh-check: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot and mount namespaces need it)"
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null 2>&1 || die "Go is required on this machine (it is copied into the fresh root)"

# --- the machine's own tools ---------------------------------------------------
host_need=()
command -v debootstrap >/dev/null 2>&1 || host_need+=(debootstrap)
command -v unshare >/dev/null 2>&1 || host_need+=(util-linux)
if [ ${#host_need[@]} -gt 0 ]; then
  say "installing ${host_need[*]} on this machine"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${host_need[@]}" >/dev/null
fi

# --- the Debian mirror apt is configured with ----------------------------------
# The first URI of a deb source for bookworm: deb822 stanzas in
# sources.list.d/*.sources, then one-line entries in sources.list(.d/*.list).
mirror="$(
  for f in /etc/apt/sources.list.d/*.sources; do [ -f "$f" ] && { cat "$f"; echo; }; done |
    awk 'BEGIN{RS=""; FS="\n"} {
      t=""; u=""; s=""
      for (i=1;i<=NF;i++) {
        if ($i ~ /^Types:/) t=$i; if ($i ~ /^URIs:/) u=$i; if ($i ~ /^Suites:/) s=$i
      }
      if (t ~ /(^|[ \t])deb([ \t]|$)/ && s ~ /[ \t]bookworm([ \t]|$)/) { sub(/^URIs:[ \t]*/,"",u); split(u,a,/[ \t]+/); print a[1]; exit }
    }'
)"
if [ -z "$mirror" ]; then
  mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    sed -E 's/\[[^]]*\]//' | awk '$1=="deb" && $3=="bookworm" {print $2; exit}')"
fi
[ -n "$mirror" ] || die "no Debian bookworm source in /etc/apt/sources.list{,.d}; configure apt first"

# --- the cached minimal root ---------------------------------------------------
arch="$(dpkg --print-architecture)"
cache="${LKBROWSER_FRESH_CACHE:-/var/cache/lkbrowser}"
tarball="$cache/bookworm-minbase-$arch.tar"
mkdir -p "$cache"
t0=$SECONDS
if [ ! -s "$tarball" ]; then
  say "making a minimal bookworm root from $mirror (once; about 2-3 minutes)"
  build="$(mktemp -d "$cache/build.XXXXXX")"
  if ! debootstrap --variant=minbase bookworm "$build/root" "$mirror" >"$build/log" 2>&1; then
    tail -n 20 "$build/log" >&2
    rm -rf --one-file-system "$build"
    die "debootstrap failed (log above)"
  fi
  tar -C "$build/root" -cf "$build/root.tar" .
  mv "$build/root.tar" "$tarball"
  rm -rf --one-file-system "$build"
  say "cached the root in $tarball ($((SECONDS - t0)) s)"
fi

work="$(mktemp -d /var/tmp/lkbrowser-fresh.XXXXXX)"
# The namespace's mounts end with it, before this runs; --one-file-system
# would stop rm at any mount that survived.
trap 'rm -rf --one-file-system "$work"' EXIT
root="$work/root"
mkdir "$root"
t1=$SECONDS
tar -C "$root" -xf "$tarball"

# --- Go and the checkout ---------------------------------------------------------
goroot="$(go env GOROOT)"
mkdir -p "$root/usr/local"
cp -a "$goroot" "$root/usr/local/go"
mkdir -p "$root/src/lkbrowser"
(cd "$repo" && git ls-files -z --cached | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf -) | tar -C "$root/src/lkbrowser" -xf -
say "unpacked the root, Go and $(cd "$repo" && git ls-files | wc -l) tracked files ($((SECONDS - t1)) s)"

# --- what belongs to the machine -------------------------------------------------
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
cp -L /etc/hosts "$root/etc/hosts"
# apt: the machine's sources whose keyrings the fresh root has, and its
# Acquire:: settings (proxies, validity checks of a snapshot mirror).
if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null || compgen -G '/etc/apt/sources.list.d/*.list' >/dev/null; then
  : >"$root/etc/apt/sources.list"
fi
[ -s /etc/apt/sources.list ] && cp /etc/apt/sources.list "$root/etc/apt/sources.list"
for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] || continue
  ok=1
  for k in $(grep -oE '(Signed-By:|signed-by=)[[:space:]]*/[^] ,]+' "$f" | sed -E 's/^(Signed-By:|signed-by=)[[:space:]]*//'); do
    [ -e "$root$k" ] || ok=0
  done
  [ $ok -eq 1 ] && cp "$f" "$root/etc/apt/sources.list.d/"
done
for f in /etc/apt/apt.conf.d/*; do
  [ -f "$f" ] && grep -q 'Acquire::' "$f" && cp "$f" "$root/etc/apt/apt.conf.d/"
done
# CA certificates: the bundle, the local additions (kept if setup.sh's
# packages pull in ca-certificates and regenerate the bundle), and every file
# a certificate variable names.
mkdir -p "$root/etc/ssl/certs" "$root/usr/local/share/ca-certificates"
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
[ -d /usr/local/share/ca-certificates ] && cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
passenv=()
while IFS='=' read -r name value; do
  case "$name" in
    http_proxy|https_proxy|no_proxy|all_proxy|ftp_proxy|HTTP_PROXY|HTTPS_PROXY|NO_PROXY|ALL_PROXY|FTP_PROXY) passenv+=("$name=$value") ;;
    *CERT*|*CA_BUNDLE*|*CAINFO*|*SSL_ROOTS*|*CAFILE*|npm_config_*|NPM_CONFIG_*)
      passenv+=("$name=$value")
      if [ -f "$value" ] && [ ! -e "$root$value" ]; then
        mkdir -p "$root$(dirname "$value")"
        cp -L "$value" "$root$value"
      fi ;;
  esac
done < <(env)
# Go's and npm's registry settings, wherever this machine keeps them.
for v in GOPROXY GOSUMDB GONOSUMDB GONOSUMCHECK GOPRIVATE GONOPROXY GOINSECURE GOFLAGS GOTOOLCHAIN; do
  val="$(go env "$v")"
  [ -n "$val" ] && passenv+=("$v=$val")
done
if command -v npm >/dev/null 2>&1; then
  reg="$(npm config get registry 2>/dev/null || true)"
  [ -n "$reg" ] && passenv+=("npm_config_registry=$reg")
fi

# --- the check, in a private mount and PID namespace -----------------------------
# PID 1 of the namespace is the inner bash: when it exits, every process the
# check started (Xvfb, Chromium, PulseAudio, livekit-server) is killed.
inner='
set -euo pipefail
r="$1"; shift
mount -t proc proc "$r/proc"
mount -t tmpfs -o mode=0755,nosuid,size=64k dev "$r/dev"
mknod -m 0666 "$r/dev/null" c 1 3
mknod -m 0666 "$r/dev/zero" c 1 5
mknod -m 0666 "$r/dev/full" c 1 7
mknod -m 0666 "$r/dev/random" c 1 8
mknod -m 0666 "$r/dev/urandom" c 1 9
mknod -m 0666 "$r/dev/tty" c 5 0
ln -s /proc/self/fd "$r/dev/fd"
ln -s /proc/self/fd/0 "$r/dev/stdin"
ln -s /proc/self/fd/1 "$r/dev/stdout"
ln -s /proc/self/fd/2 "$r/dev/stderr"
mkdir "$r/dev/pts" "$r/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$r/dev/pts"
ln -s pts/ptmx "$r/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$r/dev/shm"
mount -t tmpfs -o mode=1777,nosuid,nodev,size=8g tmp "$r/tmp"
exec chroot "$r" /usr/bin/env -i "$@" /bin/bash -c "
  set -euo pipefail
  cd /src/lkbrowser
  s=\$SECONDS
  bash scripts/setup.sh
  echo \"fresh-check: setup.sh took \$((SECONDS - s)) s\"
  s=\$SECONDS
  go build -o /usr/local/bin/lkbrowser ./cmd/lkbrowser
  echo \"fresh-check: built ./cmd/lkbrowser in \$((SECONDS - s)) s\"
  go run ./internal/testing/freshcheck /usr/local/bin/lkbrowser
"
'
t2=$SECONDS
say "running setup.sh, the build and a screenshot in the fresh root (mirror $mirror)"
set +e
unshare --mount --pid --fork --propagation private -- bash -c "$inner" inner "$root" \
  HOME=/root PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "${passenv[@]}"
rc=$?
set -e
[ $rc -eq 0 ] || die "FAILED (exit $rc) after $((SECONDS - t2)) s in the fresh root: the error above is the failing command's own"
say "passed: fresh root $((t2 - t1)) s, setup + build + screenshot $((SECONDS - t2)) s, total $((SECONDS - t0)) s"
