#!/bin/sh
# Prints the SQL that sets up the first primary of a new cluster: the database and its
# accounts. Pipe it into a root client on that server before the replicas join; they
# start empty and replicate all of it by GTID.
#
#   QUILL_DB_PASSWORD          quill: the web replicas, rows of `quill` only (SELECT,
#                              INSERT, UPDATE, DELETE): no schema change
#   QUILL_DB_MIGRATE_PASSWORD  quill_migrate: `quill migrate`, the schema of `quill`
#   QUILL_DB_REPL_PASSWORD     quill_repl: replicas' replication stream
#   QUILL_DB_ADMIN_PASSWORD    quill_admin: `quill db status` and `quill db promote`
#   QUILL_DB_MONITOR_PASSWORD  quill_monitor: HAProxy's health checks
set -eu

value=''
for name in QUILL_DB_PASSWORD QUILL_DB_MIGRATE_PASSWORD QUILL_DB_REPL_PASSWORD QUILL_DB_ADMIN_PASSWORD QUILL_DB_MONITOR_PASSWORD; do
    eval "value=\${$name:-}"
    case $value in
    '') echo "bootstrap-sql.sh: $name is not set" >&2; exit 2 ;;
    [Cc][Hh][Aa][Nn][Gg][Ee][Mm][Ee]*)
        echo "bootstrap-sql.sh: $name is still the placeholder of .env.example; set a real password in .env (openssl rand -hex 24)" >&2
        exit 2
        ;;
    *[!A-Za-z0-9_.+=/-]*) echo "bootstrap-sql.sh: $name may hold only A-Z a-z 0-9 _ . + = / -" >&2; exit 2 ;;
    esac
done

cat <<SQL
CREATE DATABASE IF NOT EXISTS quill CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS 'quill'@'%' IDENTIFIED BY '$QUILL_DB_PASSWORD';
GRANT SELECT, INSERT, UPDATE, DELETE ON quill.* TO 'quill'@'%';
CREATE USER IF NOT EXISTS 'quill_migrate'@'%' IDENTIFIED BY '$QUILL_DB_MIGRATE_PASSWORD';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES ON quill.* TO 'quill_migrate'@'%';
CREATE USER IF NOT EXISTS 'quill_repl'@'%' IDENTIFIED BY '$QUILL_DB_REPL_PASSWORD';
GRANT REPLICATION SLAVE ON *.* TO 'quill_repl'@'%';
CREATE USER IF NOT EXISTS 'quill_admin'@'%' IDENTIFIED BY '$QUILL_DB_ADMIN_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO 'quill_admin'@'%';
CREATE USER IF NOT EXISTS 'quill_monitor'@'%' IDENTIFIED BY '$QUILL_DB_MONITOR_PASSWORD';
GRANT SLAVE MONITOR ON *.* TO 'quill_monitor'@'%';
SQL
