#!/usr/bin/env python3
"""Run faultline on Apache Spark: tasks scan shards of the logs into
partials where the files are, the driver merges them into one summary.

    spark-submit recipes/spark/faultline_spark.py \
        --faultline /opt/faultline/bin/faultline \
        --out summary.json [--format json|markdown|text|html] \
        [--shards 64] [--group 8] [--tz UTC] [--ship] [-- MERGE_OPTIONS...] \
        ROOT [ROOT...]

Each ROOT is walked the way `faultline scan ROOT` walks it: a directory of
sub-directories is one system per sub-directory, any other directory is one
system named after it. The files are cut into --shards shards of about
equal size (a file is never cut), each shard a Spark task that runs

    faultline scan --system SYS=FILE ... --tz TZ --partial PART

on an executor. Files must be readable there under the same path: logs on
a shared volume, an object store mounted with a FUSE driver (gcsfuse,
s3fs, blobfuse), or, for logs that live on each host, one executor per
host with its own local paths. Tasks of one Spark partition are merged on
the executor first (`faultline merge --partial`, a step of a tree merge) so
the driver receives one partial per partition, a few MiB each; the driver
then runs `faultline merge` with MERGE_OPTIONS (--since, --top, --history,
--post ...) and writes the report. The result is the summary of one
`faultline scan ROOT...` of all the files, but for timings.

--ship sends the faultline binary with the job (SparkContext.addFile),
for clusters where it is not installed on the executors.

Exit status: faultline merge's (0 no cause, 1 causes, 2 error).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile


def walk(root: str) -> list[tuple[str, str]]:
    """(system, path) of every file under root, systems named as faultline
    names them."""
    root = root.rstrip("/") or "/"
    if os.path.isfile(root):
        raise SystemExit(f"faultline_spark: {root}: give directories (a file's system would be its stem)")
    entries = sorted(os.listdir(root))
    has_subdirs = any(os.path.isdir(os.path.join(root, e)) for e in entries)
    out = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            parts = rel.split(os.sep)
            if has_subdirs:
                system = parts[0] if len(parts) > 1 else stem(name)
            else:
                system = os.path.basename(os.path.realpath(root))
            out.append((system, path))
    return out


def stem(name: str) -> str:
    """A lone file's system: its name without rotation and compression
    suffixes, as faultline's discovery does it."""
    parts = name.split(".")
    suffixes = {"gz", "log", "txt", "out", "err", "json", "jsonl", "ndjson"}
    while len(parts) > 1 and (parts[-1] in suffixes or parts[-1].isdigit()):
        parts.pop()
    return ".".join(parts)


def shards_of(files: list[tuple[str, str]], n: int) -> list[list[tuple[str, str]]]:
    """Files into n shards of about equal bytes, biggest first."""
    sized = sorted(files, key=lambda f: -os.path.getsize(f[1]))
    shards: list[list[tuple[str, str]]] = [[] for _ in range(max(1, min(n, len(files))))]
    load = [0] * len(shards)
    for f in sized:
        i = load.index(min(load))
        shards[i].append(f)
        load[i] += os.path.getsize(f[1])
    return [s for s in shards if s]


def scan_partition(rows, binary: str, tz: str, ship: bool):
    """A Spark partition: scan each shard into a partial, merge them into
    one, yield its bytes."""
    if ship:
        from pyspark import SparkFiles

        binary = SparkFiles.get(os.path.basename(binary))
        os.chmod(binary, 0o755)
    work = tempfile.mkdtemp(prefix="faultline-")
    try:
        parts = []
        for index, shard in rows:
            part = os.path.join(work, f"shard-{index}.partial")
            cmd = [binary, "scan", "-q", "--tz", tz, "--partial", part]
            for system, path in shard:
                cmd += ["--system", f"{system}={path}"]
            run(cmd)
            parts.append(part)
        if not parts:
            return
        joined = os.path.join(work, "partition.partial")
        if len(parts) == 1:
            joined = parts[0]
        else:
            run([binary, "merge", "-q", "--partial", joined, *parts])
        with open(joined, "rb") as f:
            yield f.read()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])}... exited {done.returncode}: {done.stderr.decode(errors='replace')}")
    for line in done.stderr.decode(errors="replace").splitlines():
        print(line, file=sys.stderr)


def main(argv: list[str]) -> int:
    if "--" in argv:
        cut = argv.index("--")
        argv, merge_options = argv[:cut], argv[cut + 1 :]
    else:
        merge_options = []
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("roots", nargs="+", metavar="ROOT")
    ap.add_argument("--faultline", default=shutil.which("faultline") or "faultline")
    ap.add_argument("--out", required=True, help="where the report goes")
    ap.add_argument("--format", default="json", choices=["json", "markdown", "text", "html"])
    ap.add_argument("--shards", type=int, default=0, help="tasks (default: 4 per core of the cluster)")
    ap.add_argument("--group", type=int, default=0, help="shards per Spark partition (default: about sqrt(shards))")
    ap.add_argument("--tz", default="UTC", help="zone of zoneless times, as faultline scan --tz")
    ap.add_argument("--ship", action="store_true", help="send the binary with the job")
    args = ap.parse_args(argv)

    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("faultline").getOrCreate()
    sc = spark.sparkContext
    if args.ship:
        sc.addFile(args.faultline)
    files = [f for root in args.roots for f in walk(root)]
    if not files:
        print("faultline_spark: no file under the given roots", file=sys.stderr)
        return 2
    shards = shards_of(files, args.shards or 4 * sc.defaultParallelism)
    group = args.group or max(1, round(len(shards) ** 0.5))
    partitions = max(1, (len(shards) + group - 1) // group)
    binary, tz, ship = args.faultline, args.tz, args.ship
    partials = (
        sc.parallelize(list(enumerate(shards)), partitions)
        .mapPartitions(lambda rows: scan_partition(rows, binary, tz, ship))
        .collect()
    )
    spark.stop()
    work = tempfile.mkdtemp(prefix="faultline-driver-")
    try:
        for i, data in enumerate(partials):
            with open(os.path.join(work, f"partition-{i:05}.partial"), "wb") as f:
                f.write(data)
        print(
            f"faultline_spark: {len(files)} files in {len(shards)} shards, {partitions} partitions, "
            f"{sum(map(len, partials))} bytes of partials",
            file=sys.stderr,
        )
        cmd = [args.faultline, "merge", "-q", "--format", args.format, "-o", args.out, *merge_options, work]
        return subprocess.run(cmd).returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
