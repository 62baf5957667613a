#!/usr/bin/env bash
# Checks the deployment files as far as a machine without a container engine can
# (scripts/compose-check.sh runs them under one):
#   - compose.yml (alone, as `docker stack deploy` reads it, with compose.override.yml,
#     as `docker compose` does, and with compose.check.yml too) with .env.example,
#     through `docker compose config` or docker-compose; compose.yml keeps out what
#     Swarm's schema refuses;
#   - docker/nginx: the template rendered by render.sh with sample values (two
#     upstream servers, and a QUILL_WEB_HOST that resolves) passes `nginx -t`;
#   - docker/haproxy/haproxy.cfg passes `haproxy -c` with compose's addresses and
#     with loopback ones;
#   - nginx with TLS on renders, redirects and passes `nginx -t`;
#   - .env.example's placeholder passwords are refused by the entrypoints, naming
#     the variable, and bootstrap-sql.sh gives the web replicas' account rows only;
#   - the files the Dockerfile copies exist and are not excluded by .dockerignore;
#   - the shell scripts parse (and pass shellcheck, when it is installed).
# Exits non-zero, naming what failed, if anything does.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

failures=0
pass() { echo "ok:   $*"; }
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
# Runs a check quietly; on failure shows its output.
check() {
    local what=$1
    shift
    if "$@" >"$TMP/out" 2>&1; then
        pass "$what"
    else
        fail "$what"
        sed 's/^/      /' "$TMP/out" >&2
    fi
}
need() {
    command -v "$1" >/dev/null || { fail "$1 is not installed ($2)"; return 1; }
}

# --- compose -------------------------------------------------------------------------

compose=()
if docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
elif command -v docker-compose >/dev/null; then
    compose=(docker-compose)
else
    fail "neither \`docker compose\` nor docker-compose is installed (Debian: apt-get install docker-compose)"
fi
if ((${#compose[@]})); then
    check "compose.yml with .env.example (${compose[*]} config)" \
        "${compose[@]}" -f compose.yml --env-file .env.example config -q
    check "compose.yml + compose.override.yml with .env.example" \
        "${compose[@]}" -f compose.yml -f compose.override.yml --env-file .env.example config -q
    check "... + compose.check.yml (the compose check's override)" \
        "${compose[@]}" -f compose.yml -f compose.override.yml -f compose.check.yml \
        --env-file .env.example config -q
    # What compose.check.yml leaves out must be services, or it leaves out nothing.
    leaves_out_services() {
        local names name services
        names=$(sed -n 's/^x-quill-check-leaves-out: *\[\(.*\)\]/\1/p' compose.check.yml | tr -d ' ' | tr ',' ' ')
        [[ -n $names ]] || { echo "compose.check.yml has no x-quill-check-leaves-out"; return 1; }
        services=$("${compose[@]}" -f compose.yml -f compose.override.yml --env-file .env.example config --services)
        for name in $names; do
            grep -qx "$name" <<<"$services" || { echo "no service $name"; return 1; }
        done
    }
    check "compose.check.yml leaves out services that exist" leaves_out_services
    # A missing secret must stop compose, not start MariaDB without a password.
    refuses_missing_secret() {
        local out
        : >"$TMP/empty.env"
        if out=$(env -i PATH="$PATH" HOME="$HOME" "${compose[@]}" -f compose.yml \
            --env-file "$TMP/empty.env" config -q 2>&1); then
            echo "compose accepted a configuration without secrets"
            return 1
        fi
        [[ $out == *"in .env, see .env.example"* ]] || { echo "$out"; return 1; }
    }
    check "a missing secret stops compose" refuses_missing_secret
fi
# Swarm validates compose.yml against docker/cli's v3 schema, which knows neither
# depends_on conditions, profiles nor dns_opt; those live in compose.override.yml.
swarm_safe() {
    ! grep -nE '^[[:space:]]+(depends_on|profiles|pull_policy|dns_opt):' compose.yml
}
check "compose.yml has no depends_on, profiles or dns_opt (docker stack deploy refuses them)" swarm_safe
env_example_complete() {
    local name missing=()
    # shellcheck disable=SC2013 # the names are words, one or more a line
    for name in $(grep -hv '^[[:space:]]*#' compose.yml compose.override.yml |
        grep -oE '[$][{][A-Z0-9_]+' | cut -c3- | sort -u); do
        grep -q "^$name=" .env.example || missing+=("$name")
    done
    ((${#missing[@]} == 0)) || { echo "not in .env.example: ${missing[*]}"; return 1; }
}
check ".env.example sets every variable compose reads" env_example_complete
# The MariaDB image runs these as they are in the repository (COPY keeps the mode).
mariadb_scripts_executable() {
    local file
    for file in entrypoint.sh healthcheck bootstrap-sql.sh join-sql.sh; do
        [[ -x docker/mariadb/$file ]] || { echo "docker/mariadb/$file is not executable"; return 1; }
    done
}
check "docker/mariadb's scripts are executable" mariadb_scripts_executable

# --- nginx ---------------------------------------------------------------------------

if need nginx "Debian: nginx" && need envsubst "Debian: gettext-base" && need getent "libc-bin"; then
    # shellcheck source=scripts/lib.sh
    . scripts/lib.sh
    mkdir -p "$TMP/nginx-run" "$TMP/nginx-run2"
    check "nginx template renders with two upstream servers" env \
        QUILL_NGINX_LISTEN="127.0.0.1:$(free_port)" \
        QUILL_NGINX_STATIC_ROOT="$ROOT/static" \
        QUILL_NGINX_RUN_DIR="$TMP/nginx-run" \
        QUILL_NGINX_SERVERS="server 127.0.0.1:18081 max_fails=1 fail_timeout=5s;
        server 127.0.0.1:18082 max_fails=1 fail_timeout=5s;" \
        docker/nginx/render.sh "$TMP/nginx.conf"
    check "the rendered nginx.conf passes nginx -t" \
        nginx -t -e stderr -c "$TMP/nginx.conf"
    check "nginx.conf keeps nginx's own variables" grep -q 'X-Forwarded-For [$]remote_addr' "$TMP/nginx.conf"
    check "render.sh builds the upstream from QUILL_WEB_HOST" env -u QUILL_NGINX_SERVERS \
        QUILL_NGINX_LISTEN=8080 QUILL_NGINX_STATIC_ROOT="$ROOT/static" \
        QUILL_NGINX_RUN_DIR="$TMP/nginx-run2" QUILL_WEB_HOST=localhost QUILL_WEB_PORT=8080 \
        docker/nginx/render.sh "$TMP/nginx-host.conf"
    resolved_upstream_passes() {
        grep -q "server 127.0.0.1:8080 max_fails=1 fail_timeout=5s;" "$TMP/nginx-host.conf" &&
            nginx -t -e stderr -c "$TMP/nginx-host.conf"
    }
    check "... one server line per address, passing nginx -t" resolved_upstream_passes
    names_missing_setting() {
        local out
        ! out=$(env -i PATH="$PATH" docker/nginx/render.sh "$TMP/never.conf" 2>&1) &&
            [[ $out == *QUILL_NGINX_LISTEN* ]]
    }
    check "render.sh names a missing setting" names_missing_setting
    # TLS on: HTTPS with the mounted certificate, HSTS over HTTPS only, plain HTTP
    # redirected; a missing certificate is named.
    if command -v openssl >/dev/null; then
        mkdir -p "$TMP/tls" "$TMP/nginx-run3"
        openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
            -keyout "$TMP/tls/privkey.pem" -out "$TMP/tls/fullchain.pem" >/dev/null 2>&1
        tls_env=(QUILL_NGINX_TLS=on QUILL_NGINX_TLS_CERT="$TMP/tls/fullchain.pem"
            QUILL_NGINX_TLS_KEY="$TMP/tls/privkey.pem" QUILL_NGINX_TLS_LISTEN="127.0.0.1:$(free_port)"
            QUILL_NGINX_LISTEN="127.0.0.1:$(free_port)" QUILL_NGINX_STATIC_ROOT="$ROOT/static"
            QUILL_NGINX_RUN_DIR="$TMP/nginx-run3"
            QUILL_NGINX_SERVERS="server 127.0.0.1:18081 max_fails=1 fail_timeout=5s;")
        check "nginx template renders with TLS on" env "${tls_env[@]}" \
            docker/nginx/render.sh "$TMP/nginx-tls.conf"
        tls_config_passes() {
            grep -q 'listen 127.0.0.1:[0-9]* ssl' "$TMP/nginx-tls.conf" &&
                grep -q 'return 308 https://[$]host[$]request_uri;' "$TMP/nginx-tls.conf" &&
                grep -q 'proxy_hide_header Strict-Transport-Security;' "$TMP/nginx-tls.conf" &&
                grep -q 'X-Forwarded-Proto [$]scheme;' "$TMP/nginx-tls.conf" &&
                nginx -t -e stderr -c "$TMP/nginx-tls.conf"
        }
        check "... listens with TLS, redirects plain HTTP, owns HSTS, passing nginx -t" tls_config_passes
        tls_off_has_no_tls() {
            ! grep -Eq 'ssl|return 308' "$TMP/nginx.conf"
        }
        check "... and with TLS off (the default) has no TLS and no redirect" tls_off_has_no_tls
        names_missing_certificate() {
            local out
            ! out=$(env "${tls_env[@]}" QUILL_NGINX_TLS_CERT=/nonexistent/fullchain.pem \
                docker/nginx/render.sh "$TMP/never.conf" 2>&1) &&
                [[ $out == *"/nonexistent/fullchain.pem cannot be read"* ]]
        }
        check "render.sh names a certificate it cannot read" names_missing_certificate
    else
        fail "openssl is not installed (Debian: openssl): the TLS template is unchecked"
    fi
fi

# --- .env.example's placeholders -------------------------------------------------------

# Copied as it is, .env.example's passwords are refused by every entrypoint that reads
# them, naming the variable (the Rust programs' refusals are unit tests; the compose
# check runs the images).
mapfile -t example_vars < <(grep -E '^QUILL_[A-Z0-9_]+=' .env.example)
refuses_placeholder() {
    local variable=$1 out
    shift
    if out=$(env -i PATH="$PATH" "${example_vars[@]}" "$@" 2>&1); then
        echo "it ran: $out"
        return 1
    fi
    [[ $out == *"$variable is still the placeholder"* ]] || { echo "$out"; return 1; }
}
check "bootstrap-sql.sh refuses .env.example's QUILL_DB_PASSWORD" \
    refuses_placeholder QUILL_DB_PASSWORD docker/mariadb/bootstrap-sql.sh
check "join-sql.sh refuses .env.example's QUILL_DB_REPL_PASSWORD" \
    refuses_placeholder QUILL_DB_REPL_PASSWORD env QUILL_PRIMARY_HOST=mariadb-primary docker/mariadb/join-sql.sh
check "HAProxy's entrypoint refuses .env.example's QUILL_DB_MONITOR_PASSWORD" \
    refuses_placeholder QUILL_DB_MONITOR_PASSWORD docker/haproxy/entrypoint.sh
# cql-auth's script, inline in compose.yml (no Cassandra runs here: its CQL is
# unchecked), parses and refuses .env.example's Cassandra passwords before it calls
# cqlsh.
cql_auth_script() {
    python3 -c 'import sys, yaml
print(yaml.safe_load(open("compose.yml"))["services"]["cql-auth"]["entrypoint"][2].replace("$$", "$"))'
}
if python3 -c 'import yaml' 2>/dev/null; then
    cql_auth_script >"$TMP/cql-auth.sh"
    check "cql-auth's script (compose.yml) parses" bash -n "$TMP/cql-auth.sh"
    check "cql-auth refuses .env.example's QUILL_CASSANDRA_PASSWORD" \
        refuses_placeholder QUILL_CASSANDRA_PASSWORD bash "$TMP/cql-auth.sh"
else
    fail "python3-yaml is not installed: cql-auth's script is unchecked"
fi
bootstrap_grants() {
    local sql
    sql=$(env -i QUILL_DB_PASSWORD=a1 QUILL_DB_MIGRATE_PASSWORD=b2 QUILL_DB_REPL_PASSWORD=c3 \
        QUILL_DB_ADMIN_PASSWORD=d4 QUILL_DB_MONITOR_PASSWORD=e5 docker/mariadb/bootstrap-sql.sh) &&
        grep -qx "GRANT SELECT, INSERT, UPDATE, DELETE ON quill.\* TO 'quill'@'%';" <<<"$sql" &&
        [[ $(grep -c "TO 'quill'@" <<<"$sql") == 1 ]] &&
        grep -q "CREATE, ALTER, DROP.* TO 'quill_migrate'@'%';" <<<"$sql"
}
check "bootstrap-sql.sh gives quill rows only, and quill_migrate the schema" bootstrap_grants

# --- haproxy -------------------------------------------------------------------------

if need haproxy "Debian: haproxy"; then
    haproxy_check() {
        env QUILL_HAPROXY_WRITE_BIND="$1" QUILL_HAPROXY_READ_BIND="$2" QUILL_HAPROXY_ADMIN_BIND="$3" \
            QUILL_DB1_ADDR="$4" QUILL_DB2_ADDR="$5" QUILL_DB3_ADDR="$6" \
            QUILL_HAPROXY_CHECK="$ROOT/docker/haproxy/check-mariadb" \
            haproxy -c -f docker/haproxy/haproxy.cfg
    }
    check "haproxy.cfg with compose's settings (names that do not resolve here)" haproxy_check \
        ipv4@0.0.0.0:3306 ipv4@0.0.0.0:3307 "$TMP/quill-haproxy/admin.sock" \
        mariadb-primary:3306 mariadb-replica-1:3306 mariadb-replica-2:3306
    check "haproxy.cfg with the native topology's settings" haproxy_check \
        127.0.0.1:13306 127.0.0.1:13307 "$TMP/haproxy.sock" \
        127.0.0.1:13308 127.0.0.1:13309 127.0.0.1:13310
fi

# --- Dockerfile ----------------------------------------------------------------------

# The build-context paths of COPY lines (not --from=stage), except in the *-prebuilt
# targets, whose context is a directory holding a built binary.
dockerfile_sources() {
    awk 'toupper($1) == "FROM" { prebuilt = ($NF ~ /-prebuilt$/) }
        toupper($1) == "COPY" && $2 !~ /^--from=/ && !prebuilt {
        for (i = 2; i < NF; i++) if ($i !~ /^--/) print $i
    }' docker/Dockerfile
}
copied_files_exist() {
    local path
    for path in $(dockerfile_sources); do
        [[ -e $path ]] || { echo "missing: $path"; return 1; }
    done
}
check "every file docker/Dockerfile copies exists" copied_files_exist
copied_files_not_ignored() {
    local path pattern
    for path in $(dockerfile_sources); do
        path=${path%/}
        while read -r pattern; do
            case $pattern in "" | "#"* | "!"*) continue ;; esac
            pattern=${pattern#/}
            # shellcheck disable=SC2053 # the pattern is a glob on purpose
            if [[ $path == $pattern || $path == $pattern/* ]]; then
                echo "$path is excluded by $pattern"
                return 1
            fi
        done <.dockerignore
    done
}
check ".dockerignore excludes none of them" copied_files_not_ignored
toolchain_matches() {
    local want
    want=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
    grep -q "^ARG RUST_VERSION=$want\$" docker/Dockerfile || { echo "rust-toolchain.toml says $want"; return 1; }
}
check "the Dockerfile's Rust is rust-toolchain.toml's" toolchain_matches

# --- shell scripts -------------------------------------------------------------------

scripts=(docker/nginx/render.sh docker/nginx/entrypoint.sh docker/haproxy/check-mariadb
    docker/haproxy/entrypoint.sh
    docker/mariadb/bootstrap-sql.sh docker/mariadb/join-sql.sh docker/mariadb/entrypoint.sh
    docker/mariadb/healthcheck scripts/check-deploy.sh scripts/compose-check.sh scripts/lib.sh
    crates/quill-analytics/bench/ballista.sh)
for script in "${scripts[@]}"; do
    case $(head -n 1 "$script") in
    *bash*) check "$script parses" bash -n "$script" ;;
    *) check "$script parses" sh -n "$script" ;;
    esac
done
if command -v shellcheck >/dev/null; then
    check "shellcheck" shellcheck -x "${scripts[@]}"
else
    echo "skip: shellcheck is not installed"
fi

if ((failures)); then
    echo "check-deploy: $failures check(s) failed" >&2
    exit 1
fi
echo "check-deploy: all checks passed"
