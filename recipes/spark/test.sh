#!/usr/bin/env bash
# End-to-end test of the Spark recipe on one machine: Spark local[2] runs
# faultline_spark.py on the example incident and on a generated five-system
# corpus (its big files cut in byte ranges), and each merged summary must equal `faultline scan` of the same
# folder but for timings. Installs Java and PySpark when missing (about
# 400 MB, so this is not part of .ci/run).
#
#   recipes/spark/test.sh            (SKIP_BUILD=1 to use target/release as built)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${FAULTLINE_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/faultline}
[[ ${SKIP_BUILD:-} == 1 ]] || cargo build --release --manifest-path "$ROOT/Cargo.toml" >&2
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
if ! command -v java >/dev/null; then
    as_root apt-get update -q >&2 && as_root apt-get install -y -q default-jre-headless >&2
fi
python3 -c 'import pyspark' 2>/dev/null || python3 -m pip install -q pyspark >&2
SUBMIT=$(command -v spark-submit || echo "$(python3 -c 'import pyspark, os; print(os.path.dirname(pyspark.__file__))')/bin/spark-submit")

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 "$ROOT/examples/make_incident.py" "$WORK/incident" >/dev/null
python3 "$ROOT/benches/gen_corpus.py" "$WORK/fleet" --size 100M >/dev/null 2>&1

same() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
def load(p):
    d = json.load(open(p))
    d.pop("generated_at", None)
    for k in ("elapsed_ms", "scan_ms", "correlate_ms"):
        d["stats"].pop(k, None)
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
if a != b:
    for k in a:
        if a[k] != b.get(k):
            print(f"differs: {k}\n scan:  {json.dumps(a[k])[:600]}\n spark: {json.dumps(b.get(k))[:600]}")
    sys.exit(1)
c = a["causes"][0] if a["causes"] else None
print(f"  same summary: {a['stats']['files']} files, {a['stats']['events']} events, "
      f"top cause {c['signature'] + ' on ' + c['system'] if c else 'none'}")
EOF
}

status=0
for case in incident fleet; do
    echo "== $case: spark-submit --master local[2]" >&2
    rc=0
    "$SUBMIT" --master 'local[2]' --conf spark.ui.enabled=false --conf spark.log.level=WARN \
        "$HERE/faultline_spark.py" --faultline "$BIN" --ship --shards 6 --group 2 --cut 4M \
        --out "$WORK/$case.spark.json" "$WORK/$case" 2> >(grep -v -e WARN -e '^Setting default log level' -e 'To adjust logging' >&2) || rc=$?
    [[ $rc -le 1 ]] || { echo "spark job failed ($rc)" >&2; status=1; continue; }
    rc=0
    "$BIN" scan -q --format json --tz UTC "$WORK/$case" >"$WORK/$case.scan.json" || rc=$?
    [[ $rc -le 1 ]] || { echo "scan failed ($rc)" >&2; status=1; continue; }
    same "$WORK/$case.scan.json" "$WORK/$case.spark.json" || status=1
done
[[ $status -eq 0 ]] && echo "spark recipe: ok" >&2 || echo "spark recipe: FAILED" >&2
exit $status
