#!/bin/sh
# Renders nginx.conf.template (beside this script) into OUT. envsubst gets an explicit
# list of variables, so nginx's own ($host, $remote_addr, ...) are left alone.
#
#   render.sh OUT
#
#   QUILL_NGINX_LISTEN, QUILL_NGINX_STATIC_ROOT, QUILL_NGINX_RUN_DIR   required
#   QUILL_NGINX_PAGES_ROOT  nginx's own pages (unavailable.html); default: this
#                           script's directory, where they ship
#   QUILL_NGINX_HOST_ADDRS  the addresses requests from this host arrive from, space-
#                         separated (default: 127.0.0.1 ::1; the container's entrypoint
#                         adds its network's gateway): their X-Forwarded-For is
#                         believed, and they may read /metrics
#   QUILL_NGINX_TLS       on: HTTPS on QUILL_NGINX_TLS_LISTEN (default 8443) with
#                         QUILL_NGINX_TLS_CERT and QUILL_NGINX_TLS_KEY (PEM files;
#                         default /etc/quill/tls/fullchain.pem and privkey.pem), HSTS
#                         over HTTPS, and plain HTTP redirected (308) to
#                         https://HOST:QUILL_NGINX_TLS_PUBLIC_PORT (default 443, where
#                         clients reach it). off (the default): plain HTTP only
#   QUILL_NGINX_SERVERS   the upstream's `server ...;` lines; when unset, one line per
#                         IPv4 address of QUILL_WEB_HOST (sorted, unique) on
#                         QUILL_WEB_PORT, so the compose service name `web` yields
#                         every replica
#
# Exit status: 0 rendered, 2 a setting is missing or malformed, 3 QUILL_WEB_HOST
# resolves to no IPv4 address (yet). OUT is replaced atomically.
set -eu

fail() {
    echo "render.sh: $*" >&2
    exit 2
}
[ $# -eq 1 ] || fail "usage: render.sh OUT"
out=$1
here=$(cd "$(dirname "$0")" && pwd)
template=$here/nginx.conf.template
QUILL_NGINX_PAGES_ROOT=${QUILL_NGINX_PAGES_ROOT:-$here}
[ -r "$template" ] || fail "cannot read $template"
command -v envsubst >/dev/null || fail "envsubst is not installed (Debian: gettext-base)"

for name in QUILL_NGINX_LISTEN QUILL_NGINX_STATIC_ROOT QUILL_NGINX_RUN_DIR; do
    eval "value=\${$name:-}"
    [ -n "$value" ] || fail "$name is not set"
done
case $QUILL_NGINX_LISTEN in
*[!0-9A-Za-z.:\[\]]*) fail "QUILL_NGINX_LISTEN=$QUILL_NGINX_LISTEN is not a port or address:port" ;;
esac
for name in QUILL_NGINX_STATIC_ROOT QUILL_NGINX_RUN_DIR QUILL_NGINX_PAGES_ROOT; do
    eval "value=\${$name}"
    case $value in
    /*) ;;
    *) fail "$name=$value is not an absolute path" ;;
    esac
    case $value in
    *[!A-Za-z0-9/._+-]*) fail "$name=$value may hold only A-Z a-z 0-9 / . _ + -" ;;
    esac
done

QUILL_NGINX_REAL_IP_FROM=
QUILL_NGINX_HOST_ALLOW=
for address in ${QUILL_NGINX_HOST_ADDRS:-127.0.0.1 ::1}; do
    case $address in
    *[!0-9A-Fa-f.:/]* | '') fail "QUILL_NGINX_HOST_ADDRS: $address is not an IP address" ;;
    esac
    QUILL_NGINX_REAL_IP_FROM="${QUILL_NGINX_REAL_IP_FROM:+$QUILL_NGINX_REAL_IP_FROM
    }set_real_ip_from $address;"
    QUILL_NGINX_HOST_ALLOW="${QUILL_NGINX_HOST_ALLOW:+$QUILL_NGINX_HOST_ALLOW
            }allow $address;"
done

QUILL_NGINX_TLS_SERVER=
case ${QUILL_NGINX_TLS:-off} in
on | true | yes | 1)
    tls_listen=${QUILL_NGINX_TLS_LISTEN:-8443}
    cert=${QUILL_NGINX_TLS_CERT:-/etc/quill/tls/fullchain.pem}
    key=${QUILL_NGINX_TLS_KEY:-/etc/quill/tls/privkey.pem}
    public_port=${QUILL_NGINX_TLS_PUBLIC_PORT:-443}
    case $tls_listen in
    *[!0-9A-Za-z.:\[\]]* | '') fail "QUILL_NGINX_TLS_LISTEN=$tls_listen is not a port or address:port" ;;
    esac
    case $public_port in
    '' | *[!0-9]*) fail "QUILL_NGINX_TLS_PUBLIC_PORT=$public_port is not a port" ;;
    esac
    for file in "$cert" "$key"; do
        case $file in
        /*) ;;
        *) fail "$file (QUILL_NGINX_TLS_CERT or QUILL_NGINX_TLS_KEY) is not an absolute path" ;;
        esac
        case $file in
        *[!A-Za-z0-9/._+-]*) fail "$file may hold only A-Z a-z 0-9 / . _ + -" ;;
        esac
        [ -r "$file" ] || fail "QUILL_NGINX_TLS is on, but $file cannot be read: mount the certificate (fullchain.pem) and its key (privkey.pem) there, see docs/DEPLOYMENT.md"
    done
    redirect_port=":$public_port"
    [ "$public_port" != 443 ] || redirect_port=
    # One line each, indented as the server block's directives.
    QUILL_NGINX_TLS_SERVER="listen $tls_listen ssl http2;
        ssl_certificate $cert;
        ssl_certificate_key $key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_prefer_server_ciphers off;
        ssl_session_cache shared:quill_tls:10m;
        ssl_session_timeout 1d;
        ssl_session_tickets off;
        # Quill's own HSTS would come twice: nginx sends it (below), over HTTPS only.
        proxy_hide_header Strict-Transport-Security;
        if (\$quill_to_https) {
            return 308 https://\$host$redirect_port\$request_uri;
        }"
    ;;
off | false | no | 0 | '') ;;
*) fail "QUILL_NGINX_TLS=$QUILL_NGINX_TLS is not on or off" ;;
esac

if [ -z "${QUILL_NGINX_SERVERS:-}" ]; then
    host=${QUILL_WEB_HOST:-}
    port=${QUILL_WEB_PORT:-}
    if [ -z "$host" ] || [ -z "$port" ]; then
        fail "set QUILL_NGINX_SERVERS, or QUILL_WEB_HOST and QUILL_WEB_PORT"
    fi
    case $host in *[!A-Za-z0-9._-]*) fail "QUILL_WEB_HOST=$host is not a host name" ;; esac
    case $port in '' | *[!0-9]*) fail "QUILL_WEB_PORT=$port is not a port" ;; esac
    addresses=$(getent ahostsv4 "$host" | awk '{ print $1 }' |
        sort -u -t . -k 1,1n -k 2,2n -k 3,3n -k 4,4n) || true
    if [ -z "$addresses" ]; then
        echo "render.sh: $host resolves to no IPv4 address" >&2
        exit 3
    fi
    QUILL_NGINX_SERVERS=$(printf '%s\n' "$addresses" | awk -v port="$port" '
        NR > 1 { printf "\n        " }
        { printf "server %s:%s max_fails=1 fail_timeout=5s;", $1, port }')
fi
case $QUILL_NGINX_SERVERS in
*server\ *\;*) ;;
*) fail "QUILL_NGINX_SERVERS holds no \`server ADDRESS;\` line" ;;
esac

export QUILL_NGINX_LISTEN QUILL_NGINX_STATIC_ROOT QUILL_NGINX_RUN_DIR QUILL_NGINX_SERVERS \
    QUILL_NGINX_PAGES_ROOT QUILL_NGINX_REAL_IP_FROM QUILL_NGINX_HOST_ALLOW QUILL_NGINX_TLS_SERVER
tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT
# shellcheck disable=SC2016 # the list names the variables; envsubst expands them
envsubst '${QUILL_NGINX_LISTEN} ${QUILL_NGINX_STATIC_ROOT} ${QUILL_NGINX_RUN_DIR} ${QUILL_NGINX_SERVERS} ${QUILL_NGINX_PAGES_ROOT} ${QUILL_NGINX_REAL_IP_FROM} ${QUILL_NGINX_HOST_ALLOW} ${QUILL_NGINX_TLS_SERVER}' \
    <"$template" >"$tmp"
mv -f "$tmp" "$out"
