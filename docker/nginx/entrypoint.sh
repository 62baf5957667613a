#!/bin/sh
# The nginx container's entrypoint (run under tini): renders the config (render.sh),
# checks it, runs nginx in the foreground, and every 5 s resolves QUILL_WEB_HOST again;
# when the set of web instances changes (`docker compose up --scale web=N`, a Swarm
# update, a replaced container), it renders again and reloads nginx. Signals go to
# nginx (TERM/INT: fast stop, QUIT: graceful stop, HUP: reload, USR1: reopen logs), and
# the entrypoint exits with nginx's status.
#
# Settings: those of render.sh, with QUILL_NGINX_RUN_DIR holding nginx.conf as well.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
run_dir=${QUILL_NGINX_RUN_DIR:?QUILL_NGINX_RUN_DIR is not set}
conf=$run_dir/nginx.conf
mkdir -p "$run_dir"

log() { echo "entrypoint.sh: $*" >&2; }

nginx_pid=
stopping=
forward() {
    case $1 in TERM | INT | QUIT) stopping=1 ;; esac
    if [ -n "$nginx_pid" ]; then
        kill "-$1" "$nginx_pid" 2>/dev/null || true
    fi
}
for signal in TERM INT QUIT HUP USR1; do
    # shellcheck disable=SC2064 # the signal's name is fixed now, on purpose
    trap "forward $signal" "$signal"
done

# Interruptible by the traps above, unlike a plain `sleep 5`.
pause() {
    sleep 5 &
    wait $! 2>/dev/null || true
}

# In Swarm nothing orders the services: wait until the web service resolves.
until "$here/render.sh" "$conf"; do
    status=$?
    [ "$status" -eq 3 ] || exit "$status"
    [ -z "$stopping" ] || exit 0
    log "waiting for ${QUILL_WEB_HOST:-} to resolve"
    pause
done
nginx -t -q -e stderr -c "$conf"
[ -z "$stopping" ] || exit 0
nginx -e stderr -c "$conf" -g 'daemon off;' &
nginx_pid=$!

unresolved=
while [ -z "$stopping" ] && kill -0 "$nginx_pid" 2>/dev/null; do
    pause
    [ -z "$stopping" ] || break
    if ! "$here/render.sh" "$conf.next" 2>/dev/null; then
        # No address (all replicas gone for a moment): keep the last known set.
        [ -n "$unresolved" ] || log "${QUILL_WEB_HOST:-web} does not resolve; keeping the current upstream"
        unresolved=1
        continue
    fi
    unresolved=
    if cmp -s "$conf.next" "$conf"; then
        rm -f "$conf.next"
        continue
    fi
    if nginx -t -q -e stderr -c "$conf.next"; then
        mv -f "$conf.next" "$conf"
        log "web instances now: $(sed -n 's/^ *server \([0-9.:]*\) max_fails.*/\1/p' "$conf" | tr '\n' ' ')- reloading"
        kill -HUP "$nginx_pid"
    else
        log "the new configuration does not pass nginx -t; keeping the current one"
    fi
done

# Until nginx itself has exited (a signal interrupts `wait`), then its status.
while :; do
    status=0
    wait "$nginx_pid" || status=$?
    kill -0 "$nginx_pid" 2>/dev/null || exit "$status"
done
