#!/bin/sh
# The HAProxy container's entrypoint (run under tini): refuses to start while the
# monitor account's password is still .env.example's placeholder, then runs HAProxy in
# the foreground (-W: master-worker, so a reload keeps the listeners) with haproxy.cfg.
set -eu

case ${QUILL_DB_MONITOR_PASSWORD:-} in
[Cc][Hh][Aa][Nn][Gg][Ee][Mm][Ee]*)
    echo "entrypoint.sh: QUILL_DB_MONITOR_PASSWORD is still the placeholder of .env.example; set a real password in .env (openssl rand -hex 24)" >&2
    exit 2
    ;;
esac

exec haproxy -W -db -f "$(dirname "$0")/haproxy.cfg" "$@"
