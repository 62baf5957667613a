#!/bin/sh
# The MariaDB container's entrypoint (run under tini, as `mysql`). On an empty data
# directory it first initialises it for the server's role, against a server that
# listens on a private socket only:
#
#   QUILL_DB_ROLE=primary   the database and Quill's accounts (bootstrap-sql.sh; needs
#                           QUILL_DB_PASSWORD, QUILL_DB_REPL_PASSWORD,
#                           QUILL_DB_ADMIN_PASSWORD, QUILL_DB_MONITOR_PASSWORD)
#   QUILL_DB_ROLE=replica   joins QUILL_PRIMARY_HOST[:QUILL_PRIMARY_PORT] by GTID from the
#                           beginning (join-sql.sh; needs QUILL_DB_REPL_PASSWORD); it
#                           receives the accounts from the primary
#
# Then it runs mariadbd with server.cnf and its own arguments (compose gives each server
# --server-id=N). Every server starts read-only (quill.cnf); `quill db promote` or
# `quill db watch` makes one writable. A data directory that holds databases already
# is used as it is: the role matters on the first start only.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
conf=$here/server.cnf
datadir=/var/lib/mysql
# Present while a first start is under way: if it is there at a start, the previous
# one failed half-way.
unfinished=$datadir/quill-first-start-unfinished

log() { echo "entrypoint.sh: $*" >&2; }

if [ -e "$unfinished" ]; then
    log "a first start of this data directory failed before it finished (see the log of"
    log "that start); remove the volume and start again"
    exit 1
fi

if [ ! -d "$datadir/mysql" ]; then
    # The SQL first, so that a missing setting stops the start before anything is made.
    case ${QUILL_DB_ROLE:-} in
    primary) sql=$("$here/bootstrap-sql.sh") ;;
    replica) sql=$("$here/join-sql.sh") ;;
    *)
        log "set QUILL_DB_ROLE to primary or replica"
        exit 2
        ;;
    esac
    : >"$unfinished"
    log "initialising $datadir as a $QUILL_DB_ROLE"
    # --user: the account that this script and the health check log in with (by
    # unix_socket). Its output is shown only if it fails: it warns of a root-owned PAM
    # helper it cannot chown, which this server does not use.
    if ! mariadb-install-db --defaults-file="$conf" --user=mysql --skip-test-db \
        --auth-root-authentication-method=socket >/tmp/install-db.log 2>&1; then
        cat /tmp/install-db.log >&2
        exit 1
    fi
    socket=/run/mysqld/first-start.sock
    # No TCP, and replication not started by itself: only this script talks to it. No
    # semi-synchronous wait either: no replica is there to acknowledge the bootstrap.
    mariadbd --defaults-file="$conf" "$@" --skip-networking --socket="$socket" \
        --skip-slave-start --rpl-semi-sync-master-enabled=OFF &
    pid=$!
    tries=0
    until mariadb-admin --defaults-file="$conf" --socket="$socket" ping >/dev/null 2>&1; do
        tries=$((tries + 1))
        if [ "$tries" -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
            log "the first-start server did not come up"
            exit 1
        fi
        sleep 0.1
    done
    printf '%s\n' "$sql" | mariadb --defaults-file="$conf" --socket="$socket"
    mariadb-admin --defaults-file="$conf" --socket="$socket" shutdown
    wait "$pid"
    rm -f "$unfinished"
    log "$datadir is initialised"
fi

exec mariadbd --defaults-file="$conf" "$@"
