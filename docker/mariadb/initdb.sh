#!/bin/bash
# First-start hook for the official MariaDB image: mounted as
# /docker-entrypoint-initdb.d/quill.sh, with this folder at /etc/quill/mariadb. The
# image runs it once, on an empty data directory, against its temporary server.
#
#   QUILL_DB_ROLE=primary   creates the database and accounts (bootstrap-sql.sh)
#   QUILL_DB_ROLE=replica   joins QUILL_PRIMARY_HOST by GTID (join-sql.sh); replication
#                           starts with the real server
# The primary stays read-only until `quill db promote` (compose's init job) makes it
# writable, as after any restart.
#
# The entrypoint sources this file (it is not executable), because docker_process_sql
# is one of the entrypoint's shell functions; an executable hook would run in a shell
# of its own, without it. Its `set -eo pipefail` applies here: a failing step stops the
# first start.
case ${QUILL_DB_ROLE:-} in
primary) /etc/quill/mariadb/bootstrap-sql.sh | docker_process_sql ;;
replica) /etc/quill/mariadb/join-sql.sh | docker_process_sql ;;
*) echo "initdb.sh: set QUILL_DB_ROLE to primary or replica" >&2; exit 1 ;;
esac
