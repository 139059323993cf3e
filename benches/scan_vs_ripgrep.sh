#!/usr/bin/env bash
# Time `faultline scan` against ripgrep searching the same literals over the
# same generated corpus.
#
#   benches/scan_vs_ripgrep.sh [SIZE]        SIZE: corpus size, K/M/G suffix (default 1G)
#
# Environment:
#   RUNS=3             timed runs per tool (alternating; the median is reported)
#   SKIP_BUILD=1       do not run `cargo build --release`
#   FAULTLINE_BIN=...  binary to time (default target/release/faultline)
#   JOBS=N             pass --jobs N to faultline and -j N to rg (default: both use all cores)
#
# Writes: benches/out/corpus-SIZE/ (kept between runs), benches/out/literals.txt,
# and appends one row per tool to benches/record/scan_vs_ripgrep.csv.
set -euo pipefail

die() { echo "scan_vs_ripgrep: error: $*" >&2; exit 1; }
note() { echo "scan_vs_ripgrep: $*" >&2; }

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
[[ -f $ROOT/Cargo.toml ]] || die "no Cargo.toml in $ROOT (the script must live in <repo>/benches/)"

SIZE=${1:-1G}
[[ $SIZE =~ ^[0-9]+(\.[0-9]+)?[KMGkmg]?$ ]] || die "bad size '$SIZE' (use e.g. 200M, 1G)"
RUNS=${RUNS:-3}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer"
OUT=$ROOT/benches/out
CORPUS=$OUT/corpus-$SIZE
LITERALS=$OUT/literals.txt
RECORD_DIR=$ROOT/benches/record
RECORD=$RECORD_DIR/scan_vs_ripgrep.csv
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${FAULTLINE_BIN:-$TARGET_DIR/release/faultline}
mkdir -p "$OUT" "$RECORD_DIR"

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else return 1; fi
}

# --- 1. tools -----------------------------------------------------------------
if ! command -v rg >/dev/null; then
    note "ripgrep not found, installing"
    if command -v apt-get >/dev/null && as_root apt-get update -qq && as_root apt-get install -y -qq ripgrep >/dev/null; then
        :
    elif command -v cargo >/dev/null; then
        note "apt-get failed or unavailable, trying 'cargo install ripgrep'"
        cargo install ripgrep || die "could not install ripgrep"
        export PATH=$HOME/.cargo/bin:$PATH
    else
        die "could not install ripgrep (no apt-get, no cargo)"
    fi
    command -v rg >/dev/null || die "ripgrep installed but 'rg' is not on PATH"
fi
if [[ ! -x /usr/bin/time ]]; then
    note "/usr/bin/time not found, installing the 'time' package"
    { command -v apt-get >/dev/null && as_root apt-get update -qq && as_root apt-get install -y -qq time >/dev/null; } \
        || die "could not install /usr/bin/time (package 'time')"
fi
command -v python3 >/dev/null || die "python3 is needed to generate the corpus"

# --- 2. build -----------------------------------------------------------------
if [[ ${SKIP_BUILD:-0} != 1 && -z ${FAULTLINE_BIN:-} ]]; then
    note "building faultline (cargo build --release)"
    (cd "$ROOT" && cargo build --release --quiet) || die "cargo build --release failed"
fi
[[ -x $BIN ]] || die "faultline binary not found at $BIN (build it, or set FAULTLINE_BIN)"

# --- 3. corpus ----------------------------------------------------------------
# The completion marker lives next to the corpus, not in it, so that it is not scanned.
DONE_MARK=$OUT/corpus-$SIZE.done
if [[ ! -f $DONE_MARK || ! -d $CORPUS ]]; then
    note "generating a $SIZE corpus in $CORPUS"
    rm -rf "$CORPUS" "$DONE_MARK"
    python3 "$SCRIPT_DIR/gen_corpus.py" "$CORPUS" --size "$SIZE" >&2 || die "corpus generation failed"
    touch "$DONE_MARK"
else
    note "reusing corpus $CORPUS"
fi

# Bytes a scanner has to read: plain files as they are, .gz files decompressed.
disk_bytes=0
scan_bytes=0
nfiles=0
while IFS= read -r -d '' f; do
    sz=$(stat -c %s "$f")
    disk_bytes=$((disk_bytes + sz))
    nfiles=$((nfiles + 1))
    if [[ $f == *.gz ]]; then
        scan_bytes=$((scan_bytes + $(gzip -dc "$f" | wc -c)))
    else
        scan_bytes=$((scan_bytes + sz))
    fi
done < <(find "$CORPUS" -type f -print0)
[[ $nfiles -gt 0 ]] || die "corpus $CORPUS is empty"

# --- 4. literals --------------------------------------------------------------
# Empty lines are dropped: an empty pattern would make rg match every line.
"$BIN" patterns literals > "$LITERALS.raw" || die "'faultline patterns literals' failed"
grep -v '^[[:space:]]*$' "$LITERALS.raw" > "$LITERALS" || true
rm -f "$LITERALS.raw"
nlit=$(wc -l < "$LITERALS")
[[ $nlit -gt 0 ]] || die "'faultline patterns literals' printed no literals"

# --- 5. timing ----------------------------------------------------------------
note "warming the page cache"
find "$CORPUS" -type f -exec cat {} + > /dev/null

JOBS=${JOBS:-}
FL_JOBS=()
RG_JOBS=()
if [[ -n $JOBS ]]; then FL_JOBS=(--jobs "$JOBS"); RG_JOBS=(-j "$JOBS"); fi

# -uu: the corpus lies under benches/out, which the repo's .gitignore lists; without
# --no-ignore ripgrep would silently skip every file. -c counts matching lines per file.
RG_Z=(rg -uu -i -c -z -F "${RG_JOBS[@]}" -f "$LITERALS" "$CORPUS")
RG_PLAIN=(rg -uu -i -c -F "${RG_JOBS[@]}" -f "$LITERALS" "$CORPUS")
FL=("$BIN" scan "$CORPUS" --format json --quiet --output /dev/null "${FL_JOBS[@]}")

TOOLS=(rg_z rg_plain faultline)
declare -A CMD_DESC=(
    [rg_z]="${RG_Z[*]}"
    [rg_plain]="${RG_PLAIN[*]}"
    [faultline]="${FL[*]}"
)
declare -A CMD_VAR=([rg_z]=RG_Z [rg_plain]=RG_PLAIN [faultline]=FL)

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Exit status 0 and 1 are both success for rg (match / no match) and for faultline
# (no cause / causes reported); anything else is a failure.
check_status() {  # check_status TOOL STATUS
    if [[ $2 -ne 0 && $2 -ne 1 ]]; then
        echo "---- stderr of $1 (exit $2): ${CMD_DESC[$1]}" >&2
        tail -n 30 "$TMP/$1.stderr" >&2 || true
        die "$1 failed with exit status $2"
    fi
}

declare -A TIMES RSS
timed_run() {  # timed_run TOOL
    local tool=$1 t0 t1 st=0
    local -n cmd=${CMD_VAR[$tool]}
    t0=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$TMP/$tool.time" "${cmd[@]}" > "$OUT/$tool.stdout" 2> "$TMP/$tool.stderr" || st=$?
    t1=$(date +%s%N)
    # /usr/bin/time exits with the command's status (and notes a nonzero one on the -o file's first line)
    check_status "$tool" "$st"
    TIMES[$tool]+="$(( (t1 - t0) / 1000 )) "
    RSS[$tool]+="$(tail -n 1 "$TMP/$tool.time") "
}

note "timing $RUNS runs each, alternating: ${TOOLS[*]} ($nlit literals, $nfiles files, $scan_bytes bytes to scan)"
for ((i = 1; i <= RUNS; i++)); do
    for tool in "${TOOLS[@]}"; do
        timed_run "$tool"
        note "run $i $tool: $(awk -v us="$(echo ${TIMES[$tool]} | awk '{print $NF}')" 'BEGIN{printf "%.3f s", us/1e6}')"
    done
done

# Peak memory, sampled from /proc in one extra untimed run per tool (sampling would
# disturb the timing on a small machine). VmHWM is the kernel's peak RSS, which counts
# pages of memory-mapped input files; RssAnon is memory the process allocated.
declare -A ANON HWM
sample_mem() {  # sample_mem TOOL
    local tool=$1 pid st=0 anon=0 hwm=0 k v _
    local -n cmd=${CMD_VAR[$tool]}
    "${cmd[@]}" > /dev/null 2> "$TMP/$tool.stderr" &
    pid=$!
    while [[ -r /proc/$pid/status ]]; do
        while read -r k v _; do
            case $k in
                RssAnon:) (( v > anon )) && anon=$v ;;
                VmHWM:) (( v > hwm )) && hwm=$v ;;
            esac
        done < "/proc/$pid/status" 2>/dev/null || true
        # a zombie has no Vm lines left; stop once the process is gone
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.01
    done
    wait "$pid" || st=$?
    check_status "$tool" "$st"
    ANON[$tool]=$anon
    HWM[$tool]=$hwm
}
for tool in "${TOOLS[@]}"; do sample_mem "$tool"; done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
maxof() { tr ' ' '\n' | grep -v '^$' | sort -n | tail -n 1; }

declare -A MED MAXRSS
for tool in "${TOOLS[@]}"; do
    MED[$tool]=$(echo "${TIMES[$tool]}" | median)
    MAXRSS[$tool]=$(echo "${RSS[$tool]}" | maxof)
done

rg_lines=$(awk -F: '{s += $NF} END {print s+0}' "$OUT/rg_z.stdout")
date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo "+dirty" || true)
rg_version=$(rg --version | head -n 1)
cores=$(nproc)

echo
echo "corpus: $CORPUS ($nfiles files, $(awk -v b="$scan_bytes" 'BEGIN{printf "%.2f GiB", b/2^30}') to scan, $(awk -v b="$disk_bytes" 'BEGIN{printf "%.2f GiB", b/2^30}') on disk)"
echo "literals: $nlit from 'faultline patterns literals'; rg -z matched $rg_lines lines"
echo "$rg_version; faultline $commit$dirty; $cores cores; median of $RUNS runs, page cache warm"
echo
printf '%-10s %10s %8s %14s %15s %10s\n' tool "median s" "GiB/s" "peak RSS MiB" "peak anon MiB" "vs rg -z"
for tool in "${TOOLS[@]}"; do
    secs=$(awk -v us="${MED[$tool]}" 'BEGIN{printf "%.3f", us/1e6}')
    gibs=$(awk -v us="${MED[$tool]}" -v b="$scan_bytes" 'BEGIN{printf "%.2f", (b/2^30)/(us/1e6)}')
    rssm=$(awk -v k="${MAXRSS[$tool]}" 'BEGIN{printf "%.1f", k/1024}')
    anonm=$(awk -v k="${ANON[$tool]}" 'BEGIN{printf "%.1f", k/1024}')
    ratio=$(awk -v a="${MED[$tool]}" -v b="${MED[rg_z]}" 'BEGIN{printf "%.2f", a/b}')
    printf '%-10s %10s %8s %14s %15s %9sx\n' "$tool" "$secs" "$gibs" "$rssm" "$anonm" "$ratio"
    if [[ ! -f $RECORD ]]; then
        echo "date,size,tool,median_s,gib_per_s,peak_rss_mib,peak_anon_mib,ratio_vs_rg_z,runs,scan_bytes,files,literals,cores,commit,rg_version" > "$RECORD"
    fi
    echo "$date_utc,$SIZE,$tool,$secs,$gibs,$rssm,$anonm,$ratio,$RUNS,$scan_bytes,$nfiles,$nlit,$cores,$commit$dirty,\"$rg_version\"" >> "$RECORD"
done
echo
fl_vs_z=$(awk -v a="${MED[faultline]}" -v b="${MED[rg_z]}" 'BEGIN{printf "%.2f", a/b}')
fl_vs_plain=$(awk -v a="${MED[faultline]}" -v b="${MED[rg_plain]}" 'BEGIN{printf "%.2f", a/b}')
echo "faultline/rg time ratio: $fl_vs_z vs 'rg -z' (same input incl. .gz), $fl_vs_plain vs rg without -z (.gz files skipped as binary)"
echo "peak RSS from /usr/bin/time (max over runs) includes mapped file pages; peak anon is sampled from /proc/PID/status RssAnon every 10 ms in one extra run"
echo "recorded in ${RECORD#"$ROOT"/}"
