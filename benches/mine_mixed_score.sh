#!/usr/bin/env bash
# Accuracy on a file whose format changes: the 8 Loghub-2k logs concatenated
# (16,000 lines, 8 header layouts) mined as ONE file; each dataset's slice of
# the --per-line output is scored with score.py against its own labels.
#
# usage: benches/mine_mixed_score.sh [FAULTLINE_BIN]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${FAULTLINE_SHARED:-$here/../shared}
[ -d "$shared/data/loghub-2k" ] || shared=/work/shared
data=$shared/data/loghub-2k
bin=${1:-${CARGO_TARGET_DIR:-$here/target}/release/faultline}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
names="HDFS Hadoop Spark Zookeeper BGL Apache OpenSSH HealthApp"
for n in $names; do awk 1 "$data/$n/${n}_2k.log"; done > "$work/mixed.log"
"$bin" mine "$work/mixed.log" --per-line > "$work/mixed.jsonl"
python3 - "$work" "$data" $names <<'PY'
import json, subprocess, sys
work, data, names = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = [json.loads(l) for l in open(f"{work}/mixed.jsonl")]
tot = {"GA": 0, "FGA": 0, "PA": 0}
for k, n in enumerate(names):
    with open(f"{work}/{n}.jsonl", "w") as f:
        for r in rows[k * 2000:(k + 1) * 2000]:
            f.write(json.dumps({"line": r["line"] - k * 2000, "cluster": r["cluster"], "template": r["template"]}) + "\n")
    s = json.loads(subprocess.run(["python3", f"{data}/score.py", f"{data}/{n}", f"{work}/{n}.jsonl"], capture_output=True, text=True, check=True).stdout)
    print(f"{n:10} GA {s['GA']:.3f} FGA {s['FGA']:.3f} PA {s['PA']:.3f}")
    for m in tot: tot[m] += s[m] / len(names)
print("average    " + " ".join(f"{m} {v:.3f}" for m, v in tot.items()))
PY
