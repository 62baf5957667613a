#!/usr/bin/env bash
# Load benchmark of Quill (release build) with wrk from Debian, embedded, on the
# accounts cluster (three MariaDB servers and HAProxy: `cargo xtask cluster up`), or
# through the web tier (the same cluster with two quill processes behind nginx).
#
# Cases, each at 64 connections for $DURATION: GET /posts showing 20 posts,
# POST /posts/new (the browser form, CSRF token and all), GET /login, POST /login (the
# form: argon2id and a new session), GET /api/v1/me (one session lookup). Then, at one
# connection, GET /api/v1/me against GET /healthz: the latency a session lookup adds.
# Prints wrk's requests/s and latency distribution, and the server's RSS idle and
# under load (in web mode: the first instance's; GET /static/ is served by nginx).
# Usage: scripts/bench.sh [duration, default 20s] [embedded|cluster|web]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/quill-target}"
DURATION=${1:-20s}
MODE=${2:-embedded}
CONNECTIONS=64
THREADS=2

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

# wrk, and MariaDB's client library for the cluster modes' `mysql` build.
packages=()
command -v wrk >/dev/null || packages+=(wrk)
command -v pkg-config >/dev/null || packages+=(pkg-config)
pkg-config --exists libmariadb 2>/dev/null || packages+=(libmariadb-dev)
apt_install "${packages[@]}"

cargo build --release -p quill-web --features mysql
# The login case measures argon2id: one account logs in on every wrk connection at once,
# which the login throttle would rightly slow (it counts a login until its password is
# checked). The instances xtask starts inherit these.
export QUILL_LOGIN_ACCOUNT_LIMIT=1000000 QUILL_LOGIN_ADDRESS_LIMIT=1000000
WORK=$(mktemp -d)
PID=
trap '[[ -n $PID ]] && kill $PID 2>/dev/null; wait $PID 2>/dev/null; [[ -d $WORK/cluster ]] && cargo xtask cluster down "$WORK/cluster"; rm -rf "$WORK"' EXIT
case $MODE in
embedded) ;;
cluster | web)
    web=()
    [[ $MODE == cluster ]] || web=(--web "$CARGO_TARGET_DIR/release/quill")
    cargo xtask cluster up "$WORK/cluster" "${web[@]}" >"$WORK/cluster.env"
    set -a
    # shellcheck source=/dev/null
    . "$WORK/cluster.env"
    set +a
    # The instances' account may change rows only; the schema comes first, as
    # compose's sql-migrate job does it (`--web`'s instances are migrated by xtask).
    if [[ $MODE == cluster ]]; then
        QUILL_DATABASE_URL=$QUILL_MIGRATE_DATABASE_URL "$CARGO_TARGET_DIR/release/quill" migrate >/dev/null
    fi
    ;;
*) echo "usage: $0 [duration] [embedded|cluster|web]" >&2; exit 2 ;;
esac
if [[ $MODE == web ]]; then
    BASE=$QUILL_NGINX_URL
    # `cargo xtask cluster down` stops the instances; RSS is the first one's.
    RSS_PID=$(cat "$WORK/cluster/web1.pid")
else
    PORT=$(free_port)
    BASE="http://127.0.0.1:$PORT"
    QUILL_BIND="127.0.0.1:$PORT" QUILL_DATA_DIR="$WORK/data" QUILL_LOG=warn \
        "$CARGO_TARGET_DIR/release/quill" >"$WORK/quill.log" 2>&1 &
    PID=$!
    RSS_PID=$PID
    wait_for_port "$PORT" "$WORK/quill.log"
fi

rss() { awk '/VmRSS/ {print $2 " KiB"}' "/proc/$RSS_PID/status"; }
field() { grep -o "name=\"$1\" value=\"[^\"]*\"" | head -1 | sed 's/.*value="//; s/"$//'; }

# A user with 20 posts, logged in with a browser session (cookie jar).
JAR="$WORK/jar"
CSRF=$(curl -s -c "$JAR" -b "$JAR" "$BASE/signup" | field csrf_token)
curl -s -c "$JAR" -b "$JAR" -o /dev/null "$BASE/signup" \
    --data-urlencode "username=bench" --data-urlencode "password=benchmark password" \
    --data-urlencode "password_confirm=benchmark password" --data-urlencode "csrf_token=$CSRF"
# The CSRF token is bound to the session, which signing up renews: take the new one's.
CSRF=$(curl -s -c "$JAR" -b "$JAR" "$BASE/posts/new" | field csrf_token)
for i in $(seq 1 20); do
    POST_TOKEN=$(curl -s -c "$JAR" -b "$JAR" "$BASE/posts/new" | field post_token)
    curl -s -c "$JAR" -b "$JAR" -o /dev/null "$BASE/posts/new" \
        --data-urlencode "title=Post $i" --data-urlencode "body=Body of post $i, long enough to look like one." \
        --data-urlencode "csrf_token=$CSRF" --data-urlencode "post_token=$POST_TOKEN"
done
COOKIE=$(awk '$0 !~ /^#/ || /^#HttpOnly_/ { if (NF >= 7) printf "%s=%s; ", $6, $7 }' "$JAR")
[[ $(curl -s -H "Cookie: $COOKIE" "$BASE/posts" | grep -c 'class="post-summary"') == 20 ]] || {
    echo "setup failed: /posts does not show 20 posts" >&2; exit 1; }

# The login form as a new visitor posts it: no session, the login page's CSRF token and
# cookie (a logged-in session's token would end with the session the login renews).
LOGIN_JAR="$WORK/login-jar"
LOGIN_CSRF=$(curl -s -c "$LOGIN_JAR" "$BASE/login" | field csrf_token)
LOGIN_COOKIE=$(awk '$0 !~ /^#/ || /^#HttpOnly_/ { if (NF >= 7) printf "%s=%s; ", $6, $7 }' "$LOGIN_JAR")
cat >"$WORK/login.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "$LOGIN_COOKIE"
wrk.body = "username=bench&password=benchmark+password&csrf_token=$LOGIN_CSRF"
LUA
# Every post needs a post token of its own (a reused one finds its post again and
# stores nothing): a pool, handed out by the wrk threads in turn. Taken from the form's
# page, as a browser does: `POST /api/v1/post-tokens` is rate-limited, and counting
# sixty thousand of them costs minutes on the cluster (docs/ARCHITECTURE.md).
POST_TOKENS=${POST_TOKENS:-60000}
seq "$POST_TOKENS" | sed "s|.*|$BASE/posts/new|" | xargs -n 500 -P 4 curl -s -b "$JAR" |
    grep -o 'name="post_token" value="[^"]*"' | cut -d'"' -f4 >"$WORK/post-tokens"
cat >"$WORK/post.lua" <<LUA
local tokens = {}
for line in io.lines("$WORK/post-tokens") do tokens[#tokens + 1] = line end
local started = 0
function setup(thread)
    started = started + 1
    thread:set("id", started)
end
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "$COOKIE"
function request()
    n = n + 1
    local token = tokens[((n - 1) * $THREADS + id - 1) % #tokens + 1]
    return wrk.format(nil, nil, nil, "title=Benchmark+post&body=Written+under+load+by+wrk.&csrf_token=$CSRF&post_token=" .. token)
end
LUA

echo "mode: $MODE"
echo "RSS idle: $(rss)"
run() {
    local name=$1; shift
    echo; echo "== $name ($CONNECTIONS connections, $DURATION)"
    ( sleep 5; echo "RSS under load ($name): $(rss)" ) &
    local sampler=$!
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@"
    wait "$sampler"
}
run "GET /posts (20 posts, gzip as browsers ask)" -H "Cookie: $COOKIE" -H "Accept-Encoding: gzip" "$BASE/posts"
run "POST /posts/new ($(wc -l <"$WORK/post-tokens") post tokens; beyond them, resubmits)" -s "$WORK/post.lua" "$BASE/posts/new"
run "GET /login (gzip)" -H "Accept-Encoding: gzip" "$BASE/login"
STYLESHEET=$(curl -s "$BASE/login" | grep -o '/static/quill.css?v=[0-9a-f]*' | head -1)
run "GET $STYLESHEET (gzip)" -H "Accept-Encoding: gzip" "$BASE$STYLESHEET"
run "POST /login (argon2id, new session)" -s "$WORK/login.lua" "$BASE/login"
# A token made after the login flood: each of those logins started a session, and a
# user keeps at most 50, the oldest ending first.
TOKEN=$(curl -s "$BASE/api/v1/sessions" -H 'Content-Type: application/json' \
    -d '{"username":"bench","password":"benchmark password"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
run "GET /api/v1/me (a session lookup)" -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/me"
echo; echo "== one connection: what a session lookup adds"
wrk -t1 -c1 -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/me"
wrk -t1 -c1 -d"$DURATION" --latency "$BASE/healthz"
echo; echo "RSS after: $(rss)"
