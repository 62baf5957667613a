-- The five reports of docs/ANALYTICS.md as one DataFusion SQL query each, over a table
-- `posts` registered from a snapshot written by `quill-analytics export`. This is what a
-- DataFusion Ballista cluster runs when the data outgrows one machine; the integration test
-- `sql::datafusion_sql_matches_the_one_pass_reports` checks it against quill-analytics.
-- Regexes are the Rust regex crate's, lower() is Rust's str::to_lowercase: both exactly the
-- definitions. Day numbers use floor division, so instants before 1970 land right.

-- name: r1_daily
WITH d AS (
  SELECT user_id,
         (CAST(created_at AS BIGINT)
          - ((CAST(created_at AS BIGINT) % 86400000000) + 86400000000) % 86400000000)
         / 86400000000 AS dn
  FROM posts)
SELECT arrow_cast(CAST(dn AS INT), 'Date32') AS day, count(*) AS posts,
       count(DISTINCT user_id) AS authors
FROM d GROUP BY dn ORDER BY dn;

-- name: r2_top_users
SELECT user_id, count(*) AS posts, sum(character_length(body)) AS body_chars
FROM posts GROUP BY user_id ORDER BY posts DESC, user_id LIMIT 20;

-- name: r3_length_hist
WITH b AS (
  SELECT CASE WHEN n < 10 THEN 0 WHEN n < 20 THEN 1 WHEN n < 50 THEN 2 WHEN n < 100 THEN 3
              WHEN n < 200 THEN 4 WHEN n < 500 THEN 5 ELSE 6 END AS k
  FROM (SELECT regexp_count(body, '[\p{L}\p{Nd}]+') AS n FROM posts)),
labels AS (
  SELECT * FROM (VALUES (0, '0-9'), (1, '10-19'), (2, '20-49'), (3, '50-99'),
                        (4, '100-199'), (5, '200-499'), (6, '500+')) AS t(k, bucket))
SELECT labels.bucket AS bucket, count(b.k) AS posts
FROM labels LEFT JOIN b ON labels.k = b.k
GROUP BY labels.k, labels.bucket ORDER BY labels.k;

-- name: r4_top_words
SELECT word, count(*) AS count
FROM (SELECT unnest(string_to_array(
        regexp_replace(lower(title || ' ' || body), '[^\p{L}\p{Nd}]+', ' ', 'g'), ' ')) AS word
      FROM posts)
WHERE word <> ''
GROUP BY word ORDER BY count DESC, word LIMIT 100;

-- name: r5_heatmap
WITH t AS (
  SELECT CAST(created_at AS BIGINT) AS us,
         (CAST(created_at AS BIGINT)
          - ((CAST(created_at AS BIGINT) % 86400000000) + 86400000000) % 86400000000)
         / 86400000000 AS day
  FROM posts)
SELECT ((day + 3) % 7 + 7) % 7 + 1 AS dow, (us - day * 86400000000) / 3600000000 AS hour,
       count(*) AS posts
FROM t GROUP BY 1, 2 ORDER BY 1, 2;
