DROP INDEX post_keys_by_age;
