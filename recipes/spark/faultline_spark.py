#!/usr/bin/env python3
"""Run faultline on Apache Spark: tasks scan shards of the logs into
partials where the files are, the driver merges them into one summary.

    spark-submit recipes/spark/faultline_spark.py \
        --faultline /opt/faultline/bin/faultline \
        --out summary.json [--format json|markdown|text|html] \
        [--shards 64] [--group 8] [--cut 256M] [--tz UTC] [--ship] [-- MERGE_OPTIONS...] \
        ROOT [ROOT...]

Each ROOT is walked the way `faultline scan ROOT` walks it: a directory of
sub-directories is one system per sub-directory, any other directory is one
system named after it. A file bigger than --cut is cut in byte ranges of
that size (`faultline scan --byte-range`; multiples of the 4 MiB block), and
the files and ranges are dealt into --shards shards of about equal size,
each shard a Spark task that runs

    faultline scan --system SYS=FILE ... --tz TZ --partial PART
    faultline scan --system SYS=FILE --byte-range A-B --tz TZ --partial PART   (each range)

on an executor. Files must be readable there under the same path: logs on
a shared volume, an object store mounted with a FUSE driver (gcsfuse,
s3fs, blobfuse), or, for logs that live on each host, one executor per
host with its own local paths. Tasks of one Spark partition are merged on
the executor first (`faultline merge --partial`, a step of a tree merge) so
the driver receives one partial per partition, a few MiB each, plus one per
byte range (a file's ranges are stitched in the driver's merge, which holds
them all); the driver
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


BLOCK = 4 << 20


def pieces_of(files: list[tuple[str, str]], cut: int) -> list[tuple[str, str, int, int | None, int]]:
    """(system, path, start, end or None for a whole file, bytes): files,
    and byte ranges of those bigger than cut (gzip files stay whole: they
    cannot be read by offset)."""
    out = []
    cut = max(BLOCK, cut // BLOCK * BLOCK) if cut else 0
    for system, path in files:
        size = os.path.getsize(path)
        if cut and size > cut and not path.endswith(".gz"):
            for start in range(0, size, cut):
                out.append((system, path, start, min(start + cut, size), min(cut, size - start)))
        else:
            out.append((system, path, 0, None, size))
    return out


def shards_of(pieces: list, n: int) -> list[list]:
    """Pieces into n shards of about equal bytes, biggest first."""
    sized = sorted(pieces, key=lambda p: -p[4])
    shards: list[list] = [[] for _ in range(max(1, min(n, len(pieces))))]
    load = [0] * len(shards)
    for p in sized:
        i = load.index(min(load))
        shards[i].append(p)
        load[i] += p[4]
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
        parts, ranges = [], []
        for index, shard in rows:
            whole = [p for p in shard if p[3] is None]
            if whole:
                part = os.path.join(work, f"shard-{index}.partial")
                cmd = [binary, "scan", "-q", "--tz", tz, "--partial", part]
                for system, path, *_ in whole:
                    cmd += ["--system", f"{system}={path}"]
                run(cmd)
                parts.append(part)
            for j, (system, path, start, end, _) in enumerate(p for p in shard if p[3] is not None):
                part = os.path.join(work, f"shard-{index}-range-{j}.partial")
                span = f"--byte-range={start}-{end}"
                run([binary, "scan", "-q", "--tz", tz, span, "--system", f"{system}={path}", "--partial", part])
                ranges.append(part)
        # a merge stitches a file's ranges only with all of them: ranges go
        # to the driver as they are, whole files are merged here first
        out = ranges
        if len(parts) == 1:
            out = parts + ranges
        elif parts:
            joined = os.path.join(work, "partition.partial")
            run([binary, "merge", "-q", "--partial", joined, *parts])
            out = [joined] + ranges
        for part in out:
            with open(part, "rb") as f:
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
    ap.add_argument("--cut", default="256M", help="files bigger than this are cut in byte ranges (0: never)")
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
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    cut = args.cut.strip().upper()
    cut = int(cut[:-1]) * units[cut[-1]] if cut[-1:] in units else int(cut)
    pieces = pieces_of(files, cut)
    shards = shards_of(pieces, args.shards or 4 * sc.defaultParallelism)
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
            f"faultline_spark: {len(files)} files ({len(pieces)} pieces) in {len(shards)} shards, {partitions} partitions, "
            f"{sum(map(len, partials))} bytes of partials",
            file=sys.stderr,
        )
        cmd = [args.faultline, "merge", "-q", "--format", args.format, "-o", args.out, *merge_options, work]
        return subprocess.run(cmd).returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
