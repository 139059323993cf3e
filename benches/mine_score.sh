#!/bin/bash
# usage: score_all.sh [BIN] — scores the miner on the 8 datasets
BIN=${1:-$(cd "$(dirname "$0")/.." && pwd)/target/release/faultline}
D=${FAULTLINE_SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}/data/loghub-2k
OUT=${TMPDIR:-/tmp}/mine-score; mkdir -p $OUT
for n in HDFS Hadoop Spark Zookeeper BGL Apache OpenSSH HealthApp; do
  $BIN mine $D/$n/${n}_2k.log --per-line > $OUT/$n.jsonl
  python3 $D/score.py $D/$n $OUT/$n.jsonl | python3 -c "import json,sys; r=json.load(sys.stdin); print(f\"$n\".ljust(10), 'GA %.3f FGA %.3f PA %.3f pred %d gt %d' % (r['GA'], r['FGA'], r['PA'], r['pred_groups'], r['gt_groups']))"
done | tee $OUT/summary.txt
python3 - $OUT/summary.txt <<'PY'
import sys
rows=[l.split() for l in open(sys.argv[1])]
for k,i in (('GA',2),('FGA',4),('PA',6)):
    v=[float(r[i]) for r in rows]; print(k, 'avg %.3f min %.3f' % (sum(v)/len(v), min(v)))
PY
