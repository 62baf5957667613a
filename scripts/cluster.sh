#!/usr/bin/env bash
# The accounts cluster on 127.0.0.1 ports, from the very config files compose mounts:
# three MariaDB servers (a primary and two replicas joined by GTID, data on tmpfs) and
# HAProxy with its write and read ports.
#
#   scripts/cluster.sh up DIR     start it; DIR/env then holds the QUILL_* settings
#                                 that reach it (source it), DIR/pids its processes
#   scripts/cluster.sh down DIR   stop every process in DIR/pids and delete DIR
#
# The test suites start one per test that needs it (tests/src/cluster.rs); benchmarks
# and people start one by hand. Settings read from the environment:
#   QUILL_CHECK_MAX_LAG_SECS   lag at which HAProxy takes a replica out (default 5)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
usage() { echo "usage: $0 up|down DIR" >&2; exit 2; }
[[ $# == 2 ]] || usage
command=$1
DIR=$2

stop() {
    [[ -f $DIR/pids ]] || return 0
    local pid
    while read -r pid; do
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    done <"$DIR/pids"
    while read -r pid; do
        while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    done <"$DIR/pids"
}

case $command in
down)
    stop
    rm -rf "$DIR"
    exit 0
    ;;
up) ;;
*) usage ;;
esac

for tool in mariadbd mariadb-install-db mariadb haproxy; do
    command -v "$tool" >/dev/null || { echo "$0: $tool is not installed" >&2; exit 1; }
done

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
: >"$DIR/pids"
# On any failure, leave nothing running.
trap 'status=$?; if ((status)); then tail -n 20 "$DIR"/*.err "$DIR"/haproxy.log >&2 2>/dev/null || true; stop; fi' EXIT

# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
secret() { head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9'; }
retry() {
    local tries=$1
    shift
    for _ in $(seq 1 "$tries"); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    "$@"
}

export QUILL_DB_PASSWORD QUILL_DB_REPL_PASSWORD QUILL_DB_ADMIN_PASSWORD QUILL_DB_MONITOR_PASSWORD
QUILL_DB_PASSWORD=$(secret)
QUILL_DB_REPL_PASSWORD=$(secret)
QUILL_DB_ADMIN_PASSWORD=$(secret)
QUILL_DB_MONITOR_PASSWORD=$(secret)

declare -A PORT
for i in 1 2 3; do
    PORT[$i]=$(free_port)
    mkdir -p "$DIR/db$i.tmp"
    cat >"$DIR/db$i.cnf" <<EOF
!include $ROOT/docker/mariadb/quill.cnf

[mariadb]
server_id = $i
datadir = $DIR/db$i
tmpdir = $DIR/db$i.tmp
port = ${PORT[$i]}
bind_address = 127.0.0.1
socket = $DIR/db$i.sock
pid_file = $DIR/db$i.pid
log_error = $DIR/db$i.err
innodb_buffer_pool_size = 32M
innodb_log_file_size = 16M

[client]
socket = $DIR/db$i.sock
user = root
EOF
    mariadb-install-db --defaults-file="$DIR/db$i.cnf" --auth-root-authentication-method=normal \
        --skip-test-db >"$DIR/db$i.install.log" 2>&1 &
done
wait

for i in 1 2 3; do
    setsid mariadbd --defaults-file="$DIR/db$i.cnf" --user="$(id -un)" >>"$DIR/db$i.err" 2>&1 &
    echo $! >>"$DIR/pids"
    echo $! >"$DIR/db$i.mariadbd.pid"
done
for i in 1 2 3; do
    retry 200 mariadb --defaults-file="$DIR/db$i.cnf" -e 'SELECT 1'
done

# The first primary: accounts, then writable. Replicas join by GTID from empty.
"$ROOT/docker/mariadb/bootstrap-sql.sh" | mariadb --defaults-file="$DIR/db1.cnf"
for i in 2 3; do
    QUILL_PRIMARY_HOST=127.0.0.1 QUILL_PRIMARY_PORT=${PORT[1]} "$ROOT/docker/mariadb/join-sql.sh" |
        mariadb --defaults-file="$DIR/db$i.cnf"
done
mariadb --defaults-file="$DIR/db1.cnf" -e 'SET GLOBAL read_only = OFF'

export QUILL_HAPROXY_WRITE_BIND QUILL_HAPROXY_READ_BIND QUILL_HAPROXY_ADMIN_BIND QUILL_HAPROXY_CHECK
export QUILL_DB1_ADDR=127.0.0.1:${PORT[1]} QUILL_DB2_ADDR=127.0.0.1:${PORT[2]} QUILL_DB3_ADDR=127.0.0.1:${PORT[3]}
WRITE_PORT=$(free_port)
READ_PORT=$(free_port)
QUILL_HAPROXY_WRITE_BIND=127.0.0.1:$WRITE_PORT
QUILL_HAPROXY_READ_BIND=127.0.0.1:$READ_PORT
QUILL_HAPROXY_ADMIN_BIND=$DIR/haproxy.sock
QUILL_HAPROXY_CHECK=$ROOT/docker/haproxy/check-mariadb
haproxy -c -q -f "$ROOT/docker/haproxy/haproxy.cfg"
setsid haproxy -db -f "$ROOT/docker/haproxy/haproxy.cfg" >"$DIR/haproxy.log" 2>&1 &
echo $! >>"$DIR/pids"

# Up once the write port reaches the writable primary and the read port a replica.
as_quill() {
    MYSQL_PWD=$QUILL_DB_PASSWORD mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$1" -u quill -N -B -e 'SELECT @@read_only'
}
reaches() { [[ $(as_quill "$1" 2>/dev/null) == "$2" ]]; }
retry 200 reaches "$WRITE_PORT" 0
retry 200 reaches "$READ_PORT" 1

admin_url() { echo "mysql://quill_admin:$QUILL_DB_ADMIN_PASSWORD@127.0.0.1:${PORT[$1]}/"; }
cat >"$DIR/env" <<EOF
QUILL_DATABASE_URL=mysql://quill:$QUILL_DB_PASSWORD@127.0.0.1:$WRITE_PORT/quill
QUILL_DATABASE_READ_URL=mysql://quill:$QUILL_DB_PASSWORD@127.0.0.1:$READ_PORT/quill
QUILL_DB_NODES=db1=$(admin_url 1),db2=$(admin_url 2),db3=$(admin_url 3)
QUILL_HAPROXY_ADMIN=unix:$DIR/haproxy.sock
EOF
chmod 600 "$DIR/env"
echo "cluster up in $DIR: write port $WRITE_PORT, read port $READ_PORT" >&2
