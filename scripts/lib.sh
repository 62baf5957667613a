# shellcheck shell=bash
# Helpers the scripts share; sourced, not run.

# A TCP port on 127.0.0.1 that nothing listens on, below the kernel's ephemeral range
# (32768 and up by default), so that no outgoing connection can hold it either.
free_port() {
    local port
    while :; do
        port=$((10000 + RANDOM % 22000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
}

# Waits until something listens on 127.0.0.1:PORT (at most 60 s); otherwise prints
# LOG, the log of what should be listening, and fails.
wait_for_port() {
    local port=$1 log=$2
    for _ in $(seq 1 600); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$port; $log says:" >&2
    cat "$log" >&2 || true
    return 1
}

# Installs Debian PACKAGES with apt-get (through sudo unless root), without starting
# any as a system service: nginx would take port 80, and the tests and benchmarks
# start their own servers on free ports.
apt_install() {
    (($#)) || return 0
    echo "installing $*" >&2
    local sudo=()
    [[ $(id -u) == 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    local policy=/usr/sbin/policy-rc.d added=
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
        "${sudo[@]}" chmod +x "$policy"
        added=1
    fi
    local status=0
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" ||
        status=$?
    [[ -z $added ]] || "${sudo[@]}" rm -f "$policy"
    return "$status"
}
