#!/usr/bin/env bash
# What scale-out costs: partials against one scan on the corpus of
# benches/gen_corpus.py, and the merge of 10, 100 and 1,000 partials.
#
#   benches/partial_merge.sh [SIZE] [HOST_SIZE] [COUNTS]
#        SIZE       corpus for throughput and partial size (default 1G)
#        HOST_SIZE  logs per generated host partial (default 1M)
#        COUNTS     partial counts to merge (default "10 100 1000")
#
# 1. `scan CORPUS` (report) and `scan CORPUS --partial P` with -j1 and -j2:
#    throughput per core, and the partial's size per GiB scanned.
# 2. One host's logs (HOST_SIZE, five systems), scanned as N hosts (the same
#    files under N host directories, by symlink, each scanned alone into a
#    partial), then `merge` of the N partials: wall time and peak RSS; and,
#    for the largest N, a two-level tree (groups of sqrt(N) merged into
#    partials, then those merged).
#
# Environment: SKIP_BUILD=1, FAULTLINE_BIN=...
# Appends rows to benches/record/partial_merge.csv.
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
SIZE=${1:-1G}
HOST_SIZE=${2:-1M}
COUNTS=${3:-10 100 1000}
OUT=$ROOT/benches/out
CORPUS=$OUT/corpus-$SIZE
BIN=${FAULTLINE_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/faultline}
RECORD=$ROOT/benches/record/partial_merge.csv
mkdir -p "$OUT" "$(dirname "$RECORD")"
[[ ${SKIP_BUILD:-} == 1 ]] || cargo build --release --manifest-path "$ROOT/Cargo.toml" >&2
[[ -d $CORPUS ]] || python3 "$SCRIPT_DIR/gen_corpus.py" "$CORPUS" --size "$SIZE" >&2
[[ -f $RECORD ]] || echo "date,commit,what,n,jobs,seconds,peak_rss_kib,bytes,detail" >"$RECORD"
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# runs a command, prints "seconds peak_rss_kib"
measure() {
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr" || {
        local rc=$?
        # exit 1 is "causes found", not a failure
        if [[ $rc -ne 1 ]]; then cat "$WORK/stderr" >&2; return $rc; fi
    }
    tail -n 1 "$WORK/time"
}
record() { echo "$(date -u +%FT%TZ),$commit,$*" >>"$RECORD"; }

corpus_bytes=$(du -sb --apparent-size "$CORPUS" | cut -f1)
scanned=$("$BIN" scan -q --format json "$CORPUS" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["bytes"])' || true)
for jobs in 1 2; do
    read -r s rss < <(measure "$BIN" scan -q --format json -j "$jobs" "$CORPUS")
    echo "scan $SIZE -j$jobs: ${s}s, peak ${rss} KiB, $(python3 -c "print(f'{$scanned/$s/2**20:.0f}')") MiB/s" >&2
    record "scan,$SIZE,$jobs,$s,$rss,$scanned,report"
    read -r s rss < <(measure "$BIN" scan -q -j "$jobs" "$CORPUS" --partial "$WORK/corpus.partial")
    bytes=$(stat -c %s "$WORK/corpus.partial")
    per_gib=$(python3 -c "print(f'{$bytes/($scanned/2**30)/2**20:.2f}')")
    echo "scan --partial $SIZE -j$jobs: ${s}s, peak ${rss} KiB, partial $bytes bytes ($per_gib MiB per GiB scanned)" >&2
    record "scan_partial,$SIZE,$jobs,$s,$rss,$bytes,${per_gib} MiB per GiB scanned"
done
read -r s rss < <(measure "$BIN" merge -q --format json "$WORK/corpus.partial")
echo "merge of the corpus's one partial: ${s}s, peak ${rss} KiB" >&2
record "merge,1,2,$s,$rss,$bytes,one partial of $SIZE"

# N hosts of HOST_SIZE each
HOST=$OUT/host-$HOST_SIZE
[[ -d $HOST ]] || python3 "$SCRIPT_DIR/gen_corpus.py" "$HOST" --size "$HOST_SIZE" >&2
max=0
for n in $COUNTS; do ((n > max)) && max=$n; done
mkdir -p "$WORK/hosts" "$WORK/parts"
t0=$(date +%s.%N)
for i in $(seq -w 1 "$max"); do
    mkdir -p "$WORK/hosts/h$i"
    for sys in "$HOST"/*/; do ln -s "$sys" "$WORK/hosts/h$i/$(basename "$sys")"; done
done
# each host scanned alone, two at a time (as two cores would)
seq -w 1 "$max" | xargs -P 2 -I{} "$BIN" scan -q -j 1 "$WORK/hosts/h{}" --partial "$WORK/parts/h{}.partial"
t1=$(date +%s.%N)
part_bytes=$(stat -c %s "$WORK/parts/h$(seq -w 1 "$max" | head -1).partial")
echo "$max host partials written in $(python3 -c "print(f'{$t1-$t0:.1f}')")s, $part_bytes bytes each" >&2
for n in $COUNTS; do
    mkdir -p "$WORK/merge-$n"
    for f in $(ls "$WORK/parts" | head -n "$n"); do ln -sf "$WORK/parts/$f" "$WORK/merge-$n/$f"; done
    read -r s rss < <(measure "$BIN" merge -q --format json "$WORK/merge-$n")
    echo "merge of $n partials: ${s}s, peak ${rss} KiB" >&2
    record "merge,$n,2,$s,$rss,$((n * part_bytes)),hosts of $HOST_SIZE"
done
# a two-level tree for the largest count
group=$(python3 -c "import math; print(max(2, round(math.sqrt($max))))")
mkdir -p "$WORK/level1"
t0=$(date +%s.%N)
ls "$WORK/parts" | head -n "$max" | split -l "$group" - "$WORK/group-"
for g in "$WORK"/group-*; do
    args=()
    while read -r f; do args+=("$WORK/parts/$f"); done <"$g"
    "$BIN" merge -q --partial "$WORK/level1/$(basename "$g").partial" "${args[@]}" 2>/dev/null
done
t1=$(date +%s.%N)
read -r s rss < <(measure "$BIN" merge -q --format json "$WORK/level1")
level1=$(python3 -c "print(f'{$t1-$t0:.2f}')")
echo "tree merge of $max: groups of $group into partials ${level1}s (one after another), final merge ${s}s, peak ${rss} KiB" >&2
record "tree_merge,$max,2,$s,$rss,,groups of $group took ${level1}s one after another"

# what the single merge holds: K copies of the corpus's partial (as if K
# GiB-sized hosts had each written one), merged at once
for k in ${COPIES:-4 16}; do
    mkdir -p "$WORK/copies-$k"
    python3 - "$WORK/corpus.partial" "$WORK/copies-$k" "$k" <<'PY'
import gzip, json, sys
src, out, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
base = gzip.open(src, "rb").read()
for i in range(k):
    p = json.loads(base)
    for s in p["sources"]:
        s["path"] = f"host{i:04}/{s['path']}"
        s["display"] = f"host{i:04}/{s['display']}"
    for w in p["warnings"]:
        w["file"] = f"host{i:04}/{w['file']}"
    with gzip.open(f"{out}/host{i:04}.partial", "wb", compresslevel=1) as f:
        f.write(json.dumps(p).encode())
PY
    read -r s rss < <(measure "$BIN" merge -q --format json "$WORK/copies-$k")
    echo "merge of $k copies of the $SIZE partial ($k x $bytes bytes): ${s}s, peak ${rss} KiB" >&2
    record "merge_copies,$k,2,$s,$rss,$((k * bytes)),copies of the $SIZE partial"
    rm -rf "$WORK/copies-$k"
done
