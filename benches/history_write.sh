#!/usr/bin/env bash
# What --history costs a nightly run: the time of the history write (the
# summary's history.write_ms), the whole scan with and without --history
# (their ratio), and the database's size after each night, on the corpus
# of benches/gen_corpus.py.
#
#   benches/history_write.sh [SIZE] [NIGHTS]   (default 1G, 3 nights)
#
# Environment: SKIP_BUILD=1, FAULTLINE_BIN=...
# Appends rows to benches/record/history_write.csv.
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
SIZE=${1:-1G}
NIGHTS=${2:-3}
OUT=$ROOT/benches/out
CORPUS=$OUT/corpus-$SIZE
BIN=${FAULTLINE_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/faultline}
RECORD=$ROOT/benches/record/history_write.csv
mkdir -p "$OUT" "$(dirname "$RECORD")"
[[ ${SKIP_BUILD:-} == 1 ]] || cargo build --release --manifest-path "$ROOT/Cargo.toml" >&2
[[ -d $CORPUS ]] || python3 "$SCRIPT_DIR/gen_corpus.py" "$CORPUS" --size "$SIZE" >&2
DB=$(mktemp -d)/history.db
[[ -f $RECORD ]] || echo "date,commit,size,night,scan_s,scan_history_s,ratio,write_ms,db_bytes,series" >"$RECORD"
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
secs() { python3 -c 'import sys,time,subprocess; t=time.monotonic(); subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); print(f"{time.monotonic()-t:.3f}")' "$@"; }
for night in $(seq 1 "$NIGHTS"); do
    plain=$(secs "$BIN" scan --quiet --format json "$CORPUS")
    t0=$(date +%s.%N)
    json=$("$BIN" scan --quiet --format json --history "$DB" "$CORPUS" || true)
    t1=$(date +%s.%N)
    with=$(python3 -c "print(f'{$t1-$t0:.3f}')")
    write_ms=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["history"]["write_ms"])' <<<"$json")
    series=$(python3 -c 'import json,sys; s=json.load(sys.stdin); print(len(s["signatures"])+len(s["templates"]))' <<<"$json")
    bytes=$(stat -c %s "$DB")
    ratio=$(python3 -c "print(f'{$with/$plain:.3f}')")
    echo "night $night: scan ${plain}s, with --history ${with}s (x$ratio), write ${write_ms} ms, db $bytes bytes, $series series" >&2
    echo "$(date -u +%FT%TZ),$commit,$SIZE,$night,$plain,$with,$ratio,$write_ms,$bytes,$series" >>"$RECORD"
done
rm -rf "$(dirname "$DB")"
