#!/bin/sh
# The steps of faultline-job.yaml run on this machine: $SHARDS shard pods
# (two at a time) with JOB_COMPLETION_INDEX set as Kubernetes sets it, then
# the merge. Used by tests/integration/partial.rs.
#
#   SHARDS=4 LOGS=incident/ PARTIALS=out/ FAULTLINE=target/release/faultline recipes/kubernetes/run-local.sh
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
: "${SHARDS:=4}" "${LOGS:?the logs, one directory per system}" "${PARTIALS:?where partials and the report go}"
export SHARDS LOGS PARTIALS
i=0
while [ "$i" -lt "$SHARDS" ]; do echo "$i"; i=$((i + 1)); done |
    xargs -P 2 -I{} env JOB_COMPLETION_INDEX={} sh "$HERE/shard.sh"
exec sh "$HERE/merge.sh" "$@"
