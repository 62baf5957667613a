-- The five reports of docs/ANALYTICS.md in Spark SQL (3.1+), over a snapshot written by
-- `quill-analytics export`:  CREATE TEMPORARY VIEW posts USING parquet OPTIONS (path 'DIR')
-- Run the JVM with -Duser.language=en (lower() uses the JVM's default locale; only tr, az
-- and lt differ from the root locale the definition asks for) and keep Spark's default
-- binary string collation, which is code-point order.

-- name: r1_daily
SELECT date_from_unix_date(CAST(floor(unix_micros(created_at) / 86400000000) AS INT)) AS day,
       count(*) AS posts, count(DISTINCT user_id) AS authors
FROM posts GROUP BY 1 ORDER BY 1;

-- name: r2_top_users
SELECT user_id, count(*) AS posts, sum(length(body)) AS body_chars
FROM posts GROUP BY user_id ORDER BY posts DESC, user_id LIMIT 20;

-- name: r3_length_hist
WITH b AS (
  SELECT CASE WHEN n < 10 THEN 0 WHEN n < 20 THEN 1 WHEN n < 50 THEN 2 WHEN n < 100 THEN 3
              WHEN n < 200 THEN 4 WHEN n < 500 THEN 5 ELSE 6 END AS k
  FROM (SELECT size(regexp_extract_all(body, '[\\p{L}\\p{Nd}]+', 0)) AS n FROM posts)),
labels AS (
  SELECT * FROM VALUES (0, '0-9'), (1, '10-19'), (2, '20-49'), (3, '50-99'),
                       (4, '100-199'), (5, '200-499'), (6, '500+') AS t(k, bucket))
SELECT bucket, count(b.k) AS posts FROM labels LEFT JOIN b ON labels.k = b.k
GROUP BY labels.k, bucket ORDER BY labels.k;

-- name: r4_top_words
SELECT word, count(*) AS count
FROM (SELECT explode(regexp_extract_all(lower(concat(title, ' ', body)), '[\\p{L}\\p{Nd}]+', 0)) AS word
      FROM posts)
GROUP BY word ORDER BY count DESC, word LIMIT 100;

-- name: r5_heatmap
SELECT (((floor(unix_micros(created_at) / 86400000000) + 3) % 7 + 7) % 7) + 1 AS dow,
       CAST(floor(pmod(unix_micros(created_at), 86400000000) / 3600000000) AS INT) AS hour,
       count(*) AS posts
FROM posts GROUP BY 1, 2 ORDER BY 1, 2;
