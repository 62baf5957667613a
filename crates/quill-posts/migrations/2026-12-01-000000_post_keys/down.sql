DROP TABLE post_keys;
