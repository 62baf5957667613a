#!/bin/sh
# Prints the SQL that makes an empty server a replica of the primary, by GTID from the
# beginning of the primary's binary log. Pipe it into a root client on the replica.
#
#   QUILL_PRIMARY_HOST, QUILL_PRIMARY_PORT  the primary as the replica reaches it
#   QUILL_DB_REPL_PASSWORD                  quill_repl's password
#   QUILL_REPLICA_DELAY_SECS                optional MASTER_DELAY (tests only)
set -eu

host=${QUILL_PRIMARY_HOST:?QUILL_PRIMARY_HOST is not set}
port=${QUILL_PRIMARY_PORT:-3306}
delay=${QUILL_REPLICA_DELAY_SECS:-0}
case $host in *[!A-Za-z0-9.-]*) echo "join-sql.sh: bad QUILL_PRIMARY_HOST" >&2; exit 2 ;; esac
case $port$delay in *[!0-9]*) echo "join-sql.sh: bad port or delay" >&2; exit 2 ;; esac
case ${QUILL_DB_REPL_PASSWORD:?QUILL_DB_REPL_PASSWORD is not set} in
[Cc][Hh][Aa][Nn][Gg][Ee][Mm][Ee]*)
    echo "join-sql.sh: QUILL_DB_REPL_PASSWORD is still the placeholder of .env.example; set a real password in .env (openssl rand -hex 24)" >&2
    exit 2
    ;;
*[!A-Za-z0-9_.+=/-]*) echo "join-sql.sh: bad QUILL_DB_REPL_PASSWORD" >&2; exit 2 ;;
esac

cat <<SQL
SET GLOBAL gtid_slave_pos = '';
CHANGE MASTER TO
    MASTER_HOST = '$host',
    MASTER_PORT = $port,
    MASTER_USER = 'quill_repl',
    MASTER_PASSWORD = '$QUILL_DB_REPL_PASSWORD',
    MASTER_USE_GTID = slave_pos,
    MASTER_CONNECT_RETRY = 1,
    MASTER_DELAY = $delay;
START SLAVE;
SQL
