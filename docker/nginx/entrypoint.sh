#!/bin/sh
# The nginx container's entrypoint (run under tini): renders the config (render.sh),
# checks it, runs nginx in the foreground, and every 5 s resolves QUILL_WEB_HOST again;
# when the set of web instances changes (`docker compose up --scale web=N`, a Swarm
# update, a replaced container), it renders again and reloads nginx. Signals go to
# nginx (TERM/INT: fast stop, QUIT: graceful stop, HUP: reload, USR1: reopen logs), and
# the entrypoint exits with nginx's status.
#
# Settings: those of render.sh, with QUILL_NGINX_RUN_DIR holding nginx.conf as well.
# The container's default gateway is added to QUILL_NGINX_HOST_ADDRS: on a compose
# network it is the host, and requests to a published port from the host itself arrive
# from it (Docker's userland proxy).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
run_dir=${QUILL_NGINX_RUN_DIR:?QUILL_NGINX_RUN_DIR is not set}
conf=$run_dir/nginx.conf
mkdir -p "$run_dir"

log() { echo "entrypoint.sh: $*" >&2; }

# The IPv4 default gateway, from the kernel's routing table (little-endian hex).
gateway() {
    while read -r _ destination hex _; do
        [ "$destination" = 00000000 ] || continue
        rest=${hex#??}
        third=${rest%????}
        rest=${hex#????}
        second=${rest%??}
        printf '%d.%d.%d.%d\n' "0x${hex#??????}" "0x$second" "0x$third" "0x${hex%??????}"
        return 0
    done </proc/net/route
    return 1
}
if host=$(gateway); then
    QUILL_NGINX_HOST_ADDRS="${QUILL_NGINX_HOST_ADDRS:-127.0.0.1 ::1} $host"
    export QUILL_NGINX_HOST_ADDRS
    log "requests from $host are the host's"
fi

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

# The addresses QUILL_WEB_HOST has now (getent's lines). The configuration is rendered
# again only when they change: this runs every 5 s for as long as the container does,
# so it starts one program, not the renderer's half dozen.
addresses() {
    [ -z "${QUILL_NGINX_SERVERS:-}" ] || return 0
    getent ahostsv4 "${QUILL_WEB_HOST:-}" 2>/dev/null || true
}
# Whether getent's lines $1 and $2 hold the same addresses, in any order (Docker's DNS
# answers a service's replicas in a new order each time).
same_addresses() {
    for word in $1; do
        case $word in
        *.*.*.*) case "
$2" in *"
$word "*) ;; *) return 1 ;; esac ;;
        esac
    done
    for word in $2; do
        case $word in
        *.*.*.*) case "
$1" in *"
$word "*) ;; *) return 1 ;; esac ;;
        esac
    done
}
known=$(addresses)
unresolved=
while [ -z "$stopping" ] && kill -0 "$nginx_pid" 2>/dev/null; do
    pause
    [ -z "$stopping" ] || break
    now=$(addresses)
    if [ -n "$now" ] && same_addresses "$now" "$known"; then
        continue
    fi
    known=$now
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
