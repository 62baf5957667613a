#!/usr/bin/env bash
# The accounts cluster on 127.0.0.1 ports, from the very config files compose mounts:
# three MariaDB servers (a primary and two replicas joined by GTID, data on tmpfs) and
# HAProxy with its write and read ports; with QUILL_WEB_BIN, also two Quill instances
# behind nginx (docker/nginx).
#
#   scripts/cluster.sh up DIR     start it; DIR/env then holds the QUILL_* settings
#                                 that reach it (source it), DIR/pids its processes
#   scripts/cluster.sh down DIR   stop every process in DIR/pids and delete DIR
#
# Benchmarks and people start one by hand; the test suites start the same topology
# from Rust (crates/quill-test-support). Settings read from the environment:
#   QUILL_CHECK_MAX_LAG_SECS   lag at which HAProxy takes a replica out (default 5)
#   QUILL_WEB_BIN              a `quill` built with `--features mysql`: also start web1
#                              and web2 on the cluster
#                              (sharing DIR/web-data: one secret key, one embedded
#                              post store) and nginx in front of them. DIR/env then
#                              also holds QUILL_NGINX_URL, QUILL_WEB1_URL and
#                              QUILL_WEB2_URL; DIR/web1.pid and DIR/web2.pid hold the
#                              instances' PIDs (to kill one), DIR/webN.log their logs
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

tools=(mariadbd mariadb-install-db mariadb haproxy)
if [[ -n ${QUILL_WEB_BIN:-} ]]; then
    [[ -x $QUILL_WEB_BIN ]] || { echo "$0: QUILL_WEB_BIN=$QUILL_WEB_BIN is not executable" >&2; exit 1; }
    # A build without the `mysql` feature says so, and cannot use the cluster.
    if "$QUILL_WEB_BIN" db status 2>&1 | grep -q -- '--features mysql'; then
        echo "$0: QUILL_WEB_BIN=$QUILL_WEB_BIN has no cluster accounts: build it with --features mysql" >&2
        exit 1
    fi
    tools+=(nginx envsubst getent)
fi
for tool in "${tools[@]}"; do
    command -v "$tool" >/dev/null || { echo "$0: $tool is not installed" >&2; exit 1; }
done

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
: >"$DIR/pids"
# On any failure, leave nothing running.
trap 'status=$?; if ((status)); then tail -n 20 "$DIR"/*.err "$DIR"/haproxy.log "$DIR"/web*.log "$DIR"/nginx.log >&2 2>/dev/null || true; stop; fi' EXIT

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

if [[ -z ${QUILL_WEB_BIN:-} ]]; then
    echo "cluster up in $DIR: write port $WRITE_PORT, read port $READ_PORT" >&2
    exit 0
fi

# GET /healthz on 127.0.0.1:PORT answers 200.
healthz() {
    local status=
    exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
    printf 'GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    read -r -t 5 _ status _ <&3 || true
    exec 3<&-
    [[ $status == 200 ]]
}

# Quill instance N on a free port with the cluster's settings. Both share one data
# directory, so one secret key and one embedded post store (SQLite in WAL mode).
declare -A WEB_PORT
start_web() {
    local n=$1
    WEB_PORT[$n]=$(free_port)
    (
        set -a
        # shellcheck source=/dev/null
        . "$DIR/env"
        set +a
        export QUILL_BIND=127.0.0.1:${WEB_PORT[$n]} QUILL_DATA_DIR=$DIR/web-data \
            QUILL_BEHIND_PROXY=true QUILL_WORKERS=2
        exec setsid "$QUILL_WEB_BIN" serve >"$DIR/web$n.log" 2>&1
    ) &
    echo $! >>"$DIR/pids"
    echo $! >"$DIR/web$n.pid"
}
# web2 starts once web1 answers, so that the embedded store's first migration (and
# the secret key's creation) is not raced.
start_web 1
retry 600 healthz "${WEB_PORT[1]}"
start_web 2
retry 600 healthz "${WEB_PORT[2]}"

# nginx from the config compose uses, in front of both.
NGINX_PORT=$(free_port)
mkdir -p "$DIR/nginx"
QUILL_NGINX_LISTEN=127.0.0.1:$NGINX_PORT \
    QUILL_NGINX_STATIC_ROOT=$ROOT/static \
    QUILL_NGINX_RUN_DIR=$DIR/nginx \
    QUILL_NGINX_SERVERS="server 127.0.0.1:${WEB_PORT[1]} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:${WEB_PORT[2]} max_fails=1 fail_timeout=5s;" \
    "$ROOT/docker/nginx/render.sh" "$DIR/nginx.conf"
nginx -t -q -e stderr -c "$DIR/nginx.conf"
# Appending: nginx reopens stdout for its access log, beside stderr.
setsid nginx -e stderr -c "$DIR/nginx.conf" -g 'daemon off;' >>"$DIR/nginx.log" 2>&1 &
echo $! >>"$DIR/pids"
retry 200 healthz "$NGINX_PORT"

cat >>"$DIR/env" <<EOF
QUILL_NGINX_URL=http://127.0.0.1:$NGINX_PORT
QUILL_WEB1_URL=http://127.0.0.1:${WEB_PORT[1]}
QUILL_WEB2_URL=http://127.0.0.1:${WEB_PORT[2]}
EOF
echo "cluster up in $DIR: write port $WRITE_PORT, read port $READ_PORT," \
    "web ports ${WEB_PORT[1]} and ${WEB_PORT[2]}, nginx port $NGINX_PORT" >&2
