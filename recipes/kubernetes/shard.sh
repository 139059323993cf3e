#!/bin/sh
# One shard of an Indexed Job: the files of $LOGS whose position (sorted by
# path) modulo $SHARDS is $JOB_COMPLETION_INDEX, scanned into one partial.
# $LOGS holds one directory per system ($LOGS/<system>/...), as
# `faultline scan $LOGS` reads it.
#
# Environment: JOB_COMPLETION_INDEX (set by Kubernetes), SHARDS, LOGS
# (default /logs), PARTIALS (default /partials), TZ_OF_LOGS (default UTC),
# FAULTLINE (default faultline).
set -eu
: "${JOB_COMPLETION_INDEX:?set by an Indexed Job}" "${SHARDS:?the Job's completions}"
LOGS=${LOGS:-/logs}
PARTIALS=${PARTIALS:-/partials}
FAULTLINE=${FAULTLINE:-faultline}
mkdir -p "$PARTIALS/parts"
set --
n=0
# file names are passed as arguments, never word-split
tmp=$(mktemp)
find "$LOGS" -mindepth 2 -type f | LC_ALL=C sort >"$tmp"
while IFS= read -r file; do
    if [ $((n % SHARDS)) -eq "$JOB_COMPLETION_INDEX" ]; then
        rel=${file#"$LOGS"/}
        set -- "$@" --system "${rel%%/*}=$file"
    fi
    n=$((n + 1))
done <"$tmp"
rm -f "$tmp"
if [ $# -eq 0 ]; then
    echo "shard $JOB_COMPLETION_INDEX: no file" >&2
    exit 0
fi
exec "$FAULTLINE" scan -q --tz "${TZ_OF_LOGS:-UTC}" "$@" --partial "$PARTIALS/parts/shard-$JOB_COMPLETION_INDEX.partial"
