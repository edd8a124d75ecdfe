#!/usr/bin/env bash
# Runs the micro-benchmarks of the frame path (capture, colour conversion, VP8
# encode) and writes docs/benchmarks.md with the figures and the ratios of
# lkbrowser's paths to their baselines measured in the same run (libyuv
# against the plain-Go conversion). Usage: bash scripts/bench.sh [-count N]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
count="${2:-3}"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -run '^$' -bench . -benchtime 60x -count "$count" ./internal/yuv/ ./internal/vpx/ >"$out"
go test -run '^$' -bench Capture -benchtime 120x -count 1 ./tests/ >>"$out"

# median NAME FIELD_UNIT: the median of a metric over the runs of a benchmark.
median() {
  grep -E "^Benchmark$1(-[0-9]+)?[[:space:]]" "$out" | awk -v unit="$2" '{
    for (i = 3; i < NF; i++) if ($(i+1) == unit) print $i
  }' | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR+1)/2)]; else print "n/a" }'
}
ms() { awk -v ns="$1" 'BEGIN { if (ns == "n/a") print "n/a"; else printf "%.2f", ns / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || a == 0) print "n/a"; else printf "%.1fx", b / a }'; }

y720=$(median FromBGRA720p ns/op); y1080=$(median FromBGRA1080p ns/op)
g720=$(median FromBGRAGo720p ns/op); g1080=$(median FromBGRAGo1080p ns/op)
yr=$(median FromBGRASmallRect ns/op); gr=$(median FromBGRAGoSmallRect ns/op)
e720=$(median Encode720p cpu-ms/frame); e1080=$(median Encode1080p cpu-ms/frame)
es720=$(median EncodeStatic720p/thresh=100 cpu-ms/frame)
c720=$(median Capture/FullPage720p ns/op); c1080=$(median Capture/FullPage1080p ns/op)
ca720=$(median Capture/FullPage720p allocs/op); ca1080=$(median Capture/FullPage1080p allocs/op)
cs=$(median Capture/SmallElement720p dirty-bytes/frame)

mkdir -p docs
cat >docs/benchmarks.md <<MD
# Benchmarks

Written by \`bash scripts/bench.sh\` on $(date -u +%Y-%m-%d): $(nproc) cores,
$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), Go $(go env GOVERSION).
Medians over $count runs; the machine is a shared 2-core VM, so expect noise.
Ratios compare lkbrowser's path with its baseline measured in the same run.

## Colour conversion (BGRA to I420), per frame

| | 1280x720 | 1920x1080 |
| --- | --- | --- |
| libyuv (lkbrowser) | $(ms "$y720") ms | $(ms "$y1080") ms |
| plain Go (baseline) | $(ms "$g720") ms | $(ms "$g1080") ms |
| speed-up | $(ratio "$y720" "$g720") | $(ratio "$y1080" "$g1080") |

Only the dirty rectangles are converted: a 64x64 change in a 720p frame costs
$(awk -v n="$yr" 'BEGIN { if (n == "n/a") print n; else printf "%.1f", n / 1e3 }') µs with libyuv ($(ratio "$yr" "$gr") faster than Go).

## VP8 encode (libvpx, realtime CBR, 1 thread), CPU per frame

| | 1280x720 | 1920x1080 |
| --- | --- | --- |
| moving picture | ${e720} ms | ${e1080} ms |
| static page, one small change | ${es720} ms | |

## Capture (XDamage + MIT-SHM into pooled frames), Chromium at 60 fps

| | 1280x720 | 1920x1080 |
| --- | --- | --- |
| time per delivered frame (16.7 ms = 60 fps held) | $(ms "$c720") ms | $(ms "$c1080") ms |
| allocations per frame | ${ca720} | ${ca1080} |

A 20x20 blinking element at 720p moves ${cs} bytes of dirty area per frame.

## Reproduce

\`\`\`sh
bash scripts/setup.sh && bash scripts/bench.sh
\`\`\`

## Raw output

\`\`\`
$(grep -E '^(Benchmark|goos|goarch|cpu|pkg)' "$out")
\`\`\`
MD
echo "wrote docs/benchmarks.md"
