"""The five reports of docs/ANALYTICS.md on other engines, and the benchmark that sets
quill-analytics beside them.

    python3 engines.py duckdb SNAPSHOT_DIR OUT_DIR [THREADS]
    python3 engines.py datafusion SNAPSHOT_DIR OUT_DIR [THREADS]
    python3 engines.py compare QUILL_BIN SNAPSHOT_DIR [--threads 2] [--rounds 3]
                       [--engines quill,datafusion,duckdb] [--baseline OTHER_QUILL_BIN]
                       [--work DIR]

`duckdb` runs one DuckDB SQL query per report (below); `datafusion` runs the queries of
`sql/datafusion_reports.sql` with DataFusion-Python. Both print each report's time and the
total of the queries on stderr.

`compare` runs the engines one after the other, round after round (so a load from
elsewhere on the machine falls on all of them alike), each in its own process under
`/usr/bin/time -v`: wall time of the process and peak RSS, medians over the rounds. It
checks that every engine's CSV files equal Quill's byte for byte (DuckDB's known R4
difference aside, see below) and prints a Markdown table row per engine. `--baseline`
adds another quill-analytics binary (say, the main branch's) as the engine `baseline`.

Known differences from the definition: DuckDB's lower() is the simple per-code-point
mapping (no final sigma, U+0130 -> 'i'), so its R4 may differ on such words.
DataFusion's regexes are the Rust regex crate's and its lower() is Rust's to_lowercase:
exactly the definitions.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATAFUSION_SQL = os.path.join(HERE, "..", "sql", "datafusion_reports.sql")
HEADERS = {
    "r1_daily": "day,posts,authors",
    "r2_top_users": "user_id,posts,body_chars",
    "r3_length_hist": "bucket,posts",
    "r4_top_words": "word,count",
    "r5_heatmap": "dow,hour,posts",
}

DAY = "CAST(floor(epoch_us(created_at) / 86400000000) AS BIGINT)"
TOKENS = r"'[\p{L}\p{Nd}]+'"

DUCKDB_REPORTS = {
    "r1_daily": f"""
        SELECT strftime(DATE '1970-01-01' + CAST({DAY} AS INTEGER), '%Y-%m-%d') AS day,
               count(*) AS posts, count(DISTINCT user_id) AS authors
        FROM posts GROUP BY {DAY} ORDER BY {DAY}""",
    "r2_top_users": """
        SELECT user_id, count(*) AS posts, sum(length(body)) AS body_chars
        FROM posts GROUP BY user_id ORDER BY posts DESC, user_id LIMIT 20""",
    "r3_length_hist": f"""
        WITH w AS (SELECT len(regexp_extract_all(body, {TOKENS})) AS n FROM posts),
        b AS (SELECT CASE WHEN n < 10 THEN 0 WHEN n < 20 THEN 1 WHEN n < 50 THEN 2
                          WHEN n < 100 THEN 3 WHEN n < 200 THEN 4 WHEN n < 500 THEN 5
                          ELSE 6 END AS k FROM w),
        labels(k, bucket) AS (VALUES (0,'0-9'),(1,'10-19'),(2,'20-49'),(3,'50-99'),
                              (4,'100-199'),(5,'200-499'),(6,'500+'))
        SELECT bucket, count(b.k) AS posts FROM labels LEFT JOIN b USING (k)
        GROUP BY labels.k, bucket ORDER BY labels.k""",
    "r4_top_words": f"""
        SELECT word, count(*) AS count FROM (
            SELECT unnest(regexp_extract_all(lower(title || ' ' || body), {TOKENS})) AS word
            FROM posts)
        GROUP BY word ORDER BY count DESC, word LIMIT 100""",
    "r5_heatmap": f"""
        SELECT (({DAY} + 3) % 7 + 7) % 7 + 1 AS dow,
               CAST(floor((epoch_us(created_at) - {DAY} * 86400000000) / 3600000000) AS BIGINT) AS hour,
               count(*) AS posts
        FROM posts GROUP BY dow, hour ORDER BY dow, hour""",
}


def datafusion_reports():
    """`{name: query}` of the `-- name:` sections of sql/datafusion_reports.sql."""
    with open(DATAFUSION_SQL, encoding="utf-8") as f:
        text = f.read()
    reports = {}
    for section in text.split("-- name: ")[1:]:
        name, body = section.split("\n", 1)
        lines = [line for line in body.splitlines() if not line.startswith("--")]
        reports[name.strip()] = "\n".join(lines).strip().rstrip(";")
    return reports


def write_csv(out, name, rows):
    with open(os.path.join(out, f"{name}.csv"), "w", encoding="utf-8", newline="\n") as f:
        f.write(HEADERS[name] + "\n")
        for row in rows:
            f.write(",".join(str(v) for v in row) + "\n")


def run_duckdb(snapshot, out, threads):
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute(f"CREATE VIEW posts AS SELECT * FROM read_parquet('{snapshot}/*.parquet')")
    total = time.time()
    for name, sql in DUCKDB_REPORTS.items():
        start = time.time()
        write_csv(out, name, con.execute(sql).fetchall())
        print(f"{name}: {time.time() - start:.2f}s", file=sys.stderr)
    print(f"total: {time.time() - total:.2f}s", file=sys.stderr)


def run_datafusion(snapshot, out, threads):
    import datafusion

    config = datafusion.SessionConfig().with_target_partitions(threads)
    ctx = datafusion.SessionContext(config)
    ctx.register_parquet("posts", snapshot.rstrip("/") + "/", file_extension=".parquet")
    total = time.time()
    for name, sql in datafusion_reports().items():
        start = time.time()
        table = ctx.sql(sql).to_arrow_table()
        columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
        write_csv(out, name, zip(*columns))
        print(f"{name}: {time.time() - start:.2f}s", file=sys.stderr)
    print(f"total: {time.time() - total:.2f}s", file=sys.stderr)


def timed(command):
    """Runs `command` under /usr/bin/time -v: (wall seconds, peak RSS in MB, stderr)."""
    start = time.time()
    done = subprocess.run(
        ["/usr/bin/time", "-v", *command], capture_output=True, text=True, check=False
    )
    wall = time.time() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return wall, int(rss.group(1)) / 1024 if rss else float("nan"), done.stderr


def same_reports(a, b):
    """The report files of `b` that differ from `a`'s."""
    differ = []
    for name in HEADERS:
        with open(os.path.join(a, f"{name}.csv"), "rb") as fa, open(
            os.path.join(b, f"{name}.csv"), "rb"
        ) as fb:
            if fa.read() != fb.read():
                differ.append(name)
    return differ


def compare(args):
    snapshot = os.path.abspath(args.snapshot)
    work = args.work or tempfile.mkdtemp(prefix="quill-bench-")
    engines = args.engines.split(",")
    quill = lambda binary: lambda out: [
        binary, "run", "--source", f"parquet:{snapshot}", "--out", out,
        "--threads", str(args.threads), "--quiet", "--replace",
    ]
    if args.baseline:
        engines.insert(0, "baseline")
    commands = {
        "quill": quill(args.quill),
        "baseline": quill(args.baseline or ""),
        "datafusion": lambda out: [
            sys.executable, os.path.abspath(__file__), "datafusion", snapshot, out,
            str(args.threads),
        ],
        "duckdb": lambda out: [
            sys.executable, os.path.abspath(__file__), "duckdb", snapshot, out,
            str(args.threads),
        ],
    }
    walls = {e: [] for e in engines}
    queries = {e: [] for e in engines}
    rss = {e: [] for e in engines}
    for r in range(args.rounds):
        for engine in engines:
            out = os.path.join(work, engine)
            shutil.rmtree(out, ignore_errors=True)
            if engine not in ("quill", "baseline"):
                os.makedirs(out)
            wall, peak, stderr = timed(commands[engine](out))
            total = re.search(r"total: ([\d.]+)s", stderr)
            walls[engine].append(wall)
            queries[engine].append(float(total.group(1)) if total else wall)
            rss[engine].append(peak)
            print(f"round {r + 1} {engine}: {wall:.2f}s, {peak:.0f} MB", file=sys.stderr, flush=True)
    if "quill" in engines:
        for engine in engines:
            if engine != "quill":
                differ = same_reports(os.path.join(work, "quill"), os.path.join(work, engine))
                print(f"{engine} vs quill: {'identical' if not differ else 'differ in ' + ', '.join(differ)}")
    print(f"| engine | wall, median of {args.rounds} (min-max) | queries only | peak RSS |")
    print("| --- | --- | --- | --- |")
    for engine in engines:
        w, q = walls[engine], queries[engine]
        print(
            f"| {engine} | {statistics.median(w):.2f} s ({min(w):.2f}-{max(w):.2f}) "
            f"| {statistics.median(q):.2f} s | {statistics.median(rss[engine]):.0f} MB |"
        )
    if "quill" in engines:
        base = statistics.median(walls["quill"])
        for engine in engines:
            if engine != "quill":
                print(f"{engine} / quill: {statistics.median(walls[engine]) / base:.1f}x "
                      f"(queries only: {statistics.median(queries[engine]) / base:.1f}x)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for engine in ("duckdb", "datafusion"):
        p = sub.add_parser(engine)
        p.add_argument("snapshot")
        p.add_argument("out")
        p.add_argument("threads", nargs="?", type=int, default=os.cpu_count())
    p = sub.add_parser("compare")
    p.add_argument("quill")
    p.add_argument("snapshot")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--engines", default="quill,datafusion,duckdb")
    p.add_argument("--baseline")
    p.add_argument("--work")
    args = parser.parse_args()
    if args.command == "compare":
        compare(args)
        return
    os.makedirs(args.out, exist_ok=True)
    {"duckdb": run_duckdb, "datafusion": run_datafusion}[args.command](
        args.snapshot, args.out, args.threads
    )


if __name__ == "__main__":
    main()
