"""The five reports of docs/ANALYTICS.md as one DuckDB SQL query each, over a Parquet snapshot.

Used to cross-check quill-analytics and as the baseline of its benchmark:
    python3 duckdb_reports.py SNAPSHOT_DIR OUT_DIR [THREADS]
Known differences from the definition: DuckDB's lower() is the simple per-code-point
mapping (no final sigma, U+0130 -> 'i'), so R4 may differ on such words.
"""
import os
import sys
import time

import duckdb

DAY = "CAST(floor(epoch_us(created_at) / 86400000000) AS BIGINT)"
TOKENS = r"'[\p{L}\p{Nd}]+'"

REPORTS = {
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


def main():
    snapshot, out = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else os.cpu_count()
    os.makedirs(out, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute(
        f"CREATE VIEW posts AS SELECT * FROM read_parquet('{snapshot}/*.parquet')"
    )
    total = time.time()
    for name, sql in REPORTS.items():
        start = time.time()
        rows = con.execute(sql).fetchall()
        with open(os.path.join(out, f"{name}.csv"), "w", encoding="utf-8", newline="\n") as f:
            f.write({"r1_daily": "day,posts,authors", "r2_top_users": "user_id,posts,body_chars",
                     "r3_length_hist": "bucket,posts", "r4_top_words": "word,count",
                     "r5_heatmap": "dow,hour,posts"}[name] + "\n")
            for row in rows:
                f.write(",".join(str(v) for v in row) + "\n")
        print(f"{name}: {time.time() - start:.2f}s", file=sys.stderr)
    print(f"total: {time.time() - total:.2f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
