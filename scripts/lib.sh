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
