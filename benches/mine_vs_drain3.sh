#!/usr/bin/env bash
# Times `faultline mine` against Drain3 (default settings, fed each raw line
# with add_log_message) on the same input, in the same run: the REPEAT-times
# concatenation of the 8 Loghub-2k datasets (default 64x: 1,024,000 lines,
# 125 MB; 8 header layouts alternating every 2,000 lines), so fixed costs
# (process start, template merging) do not dominate.
#
# usage: [REPEAT=64] benches/mine_vs_drain3.sh [FAULTLINE_BIN]
#   FAULTLINE_SHARED  folder holding data/loghub-2k (default: ../shared next
#                     to the crate, else /work/shared)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${FAULTLINE_SHARED:-$here/../shared}
[ -d "$shared/data/loghub-2k" ] || shared=/work/shared
data=$shared/data/loghub-2k
bin=${1:-${CARGO_TARGET_DIR:-$here/target}/release/faultline}
if [ ! -x "$bin" ]; then (cd "$here" && cargo build --release >&2); fi
python3 -c 'import drain3' 2>/dev/null || pip install --quiet drain3 >&2 || pip install --quiet --user drain3 >&2

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
repeat=${REPEAT:-64}
input=$work/loghub${repeat}x.log
for _ in $(seq "$repeat"); do
  for n in HDFS Hadoop Spark Zookeeper BGL Apache OpenSSH HealthApp; do awk 1 "$data/$n/${n}_2k.log"; done
done > "$input"
lines=$(wc -l < "$input")
echo "input: $lines lines, $(du -h "$input" | cut -f1), $(nproc) cores"

have_time=0; [ -x /usr/bin/time ] && /usr/bin/time -v true 2>/dev/null && have_time=1

# faultline: best of 5 wall-clock runs of the whole process (reading the
# file, mining, printing the template table)
best=""
for _ in 1 2 3 4 5; do
  if [ $have_time = 1 ]; then
    # wall clock to the ns around the whole (time's own start included):
    # time -v reports it in hundredths of a second only
    s=$(date +%s.%N); /usr/bin/time -v -o "$work/fl.time" "$bin" mine "$input" > "$work/fl.out"; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$work/fl.time")
    cpu=$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{print u+s}' "$work/fl.time")
  else
    s=$(date +%s.%N); "$bin" mine "$input" > "$work/fl.out"; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l); rss=$(python3 -c "import resource;print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"); cpu=0
  fi
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fl_rss=$rss; fl_cpu=$cpu; fi
done
fl_tpl=$(tail -1 "$work/fl.out")
s=$(date +%s.%N); "$bin" mine "$input" --per-line > /dev/null; e=$(date +%s.%N)
fl_pl=$(echo "$e - $s" | bc -l)

# Drain3: default TemplateMiner, one add_log_message per raw line
cat > "$work/drain.py" <<'PY'
import logging, resource, sys, time
logging.disable(logging.CRITICAL)
from drain3 import TemplateMiner
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
tm = TemplateMiner()
t0 = time.perf_counter()
for l in lines:
    tm.add_log_message(l)
dt = time.perf_counter() - t0
print(f"{dt:.3f} {len(tm.drain.clusters)} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
PY
read -r dr_t dr_tpl dr_rss < <(python3 "$work/drain.py" "$input")

python3 - "$lines" "$best" "$fl_pl" "$fl_rss" "$dr_t" "$dr_tpl" "$dr_rss" "$fl_tpl" "$fl_cpu" <<'PY'
import sys
n, fl, flpl, flrss, dr, drtpl, drrss, fltpl, flcpu = sys.argv[1:]
n = int(n); fl, flpl, dr, flcpu = float(fl), float(flpl), float(dr), float(flcpu)
print(f"faultline mine : {fl:7.3f} s  {n/fl:12,.0f} lines/s  peak RSS {int(flrss)/1024:7.1f} MiB  ({fltpl}; whole process, best of 5, {flcpu:.2f} CPU s)")
print(f"  --per-line   : {flpl:7.3f} s  {n/flpl:12,.0f} lines/s  (JSONL to /dev/null, two passes)")
print(f"Drain3 default : {dr:7.3f} s  {n/dr:12,.0f} lines/s  peak RSS {int(drrss)/1024:7.1f} MiB  ({drtpl} clusters; add_log_message loop only)")
print(f"speed-up       : {dr/fl:7.1f}x whole process vs Drain3 loop ({dr/flpl:.1f}x with --per-line)")
PY
