#!/bin/sh
# The merge Job: every shard's partial in $PARTIALS/parts ranked into one
# report, $PARTIALS/summary.$FORMAT. Extra arguments go to `faultline
# merge` (--since, --history, --post ...). Exits as faultline does: 0 no
# incident, 1 causes reported, 2 error.
set -eu
PARTIALS=${PARTIALS:-/partials}
FORMAT=${FORMAT:-json}
exec "${FAULTLINE:-faultline}" merge -q --format "$FORMAT" -o "$PARTIALS/summary.$FORMAT" "$@" "$PARTIALS/parts"
