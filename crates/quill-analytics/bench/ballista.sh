#!/usr/bin/env bash
# The local engine against a Ballista cluster on this machine (docs/BENCHMARKS.md, "On a
# Ballista cluster"): ROUNDS rounds, each a local run then a run on a scheduler and two
# executors of two slots. The cluster is started afresh for each run, every process
# under /usr/bin/time -v, so each peak RSS is that run's. Prints a line per run (wall
# time, peak RSS of the client, scheduler and each executor, the load before it) and,
# from the scheduler's REST API, each report's job and stages; checks that both runs
# wrote the same CSV and Parquet files.
#
#   crates/quill-analytics/bench/ballista.sh SNAPSHOT ROUNDS WORK_DIR
#
# B: the release binary (default $CARGO_TARGET_DIR/release/quill-analytics, built with
# `cargo build --release -p quill-analytics`). LOCAL_THREADS (2) and PARTITIONS (4: the
# cluster's slots) as in the figures.
set -euo pipefail

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

SNAP=$1
ROUNDS=$2
W=$3
B=${B:-${CARGO_TARGET_DIR:-target}/release/quill-analytics}
LOCAL_THREADS=${LOCAL_THREADS:-2}
PARTITIONS=${PARTITIONS:-4}
mkdir -p "$W"

# "wall_s peak_rss_mb" from a /usr/bin/time -v report.
figures() {
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0
                    for (i = 1; i <= n; i++) s = s * 60 + t[i] }
                /Maximum resident set size/ { rss = $2 / 1024 }
                END { printf "%.2f %.0f", s, rss }' "$1"
}

load() { uptime | sed 's/.*load average: //'; }

PIDS=()
stop_cluster() {
    local pid child
    for pid in "${PIDS[@]}"; do
        # SIGTERM to the process time runs: it stops, and time writes its report.
        for child in $(pgrep -P "$pid" || true); do kill -TERM "$child" 2>/dev/null || true; done
    done
    for pid in "${PIDS[@]}"; do wait "$pid" || true; done
    PIDS=()
}
trap stop_cluster EXIT

# Sets PORT to the scheduler's.
PORT=
start_cluster() {
    local tag=$1 port i
    port=$(free_port)
    /usr/bin/time -v -o "$W/$tag.scheduler.time" "$B" scheduler --port "$port" \
        --external-host 127.0.0.1 --min-executors 2 >"$W/$tag.scheduler.log" 2>&1 &
    PIDS+=($!)
    for i in 1 2; do
        mkdir -p "$W/$tag.executor-$i"
        /usr/bin/time -v -o "$W/$tag.executor-$i.time" "$B" executor --external-host 127.0.0.1 \
            --port "$(free_port)" --grpc-port "$(free_port)" --scheduler-host 127.0.0.1 \
            --scheduler-port "$port" --slots 2 --work-dir "$W/$tag.executor-$i" \
            >"$W/$tag.executor-$i.log" 2>&1 &
        PIDS+=($!)
    done
    for _ in $(seq 1 600); do
        if python3 -c "import sys, urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/readyz', timeout=1)" 2>/dev/null; then
            PORT=$port
            return 0
        fi
        sleep 0.1
    done
    echo "the cluster did not become ready; logs in $W" >&2
    return 1
}

# Each report's job and its stages: job time, and per stage its tasks, rows in and out,
# the span from its first task's start to its last task's end, and the tasks' summed time.
stages() {
    python3 - "$1" <<'PY'
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}/api"
get = lambda path: json.load(urllib.request.urlopen(base + path, timeout=10))
jobs = sorted(get("/jobs"), key=lambda j: j["start_time"])
for n, job in enumerate(jobs, 1):
    print(f"  R{n} job {job['end_time'] - job['start_time']} ms ({job['status']})")
    for stage in get(f"/job/{job['job_id']}/stages")["stages"]:
        tasks = [t for t in stage["tasks"] if t]
        starts = [t["start_exec_time"] for t in tasks if t["start_exec_time"]]
        ends = [t["end_exec_time"] for t in tasks if t["end_exec_time"]]
        span = max(ends) - min(starts) if starts and ends else 0
        busy = sum(t["exec_duration"] for t in tasks)
        print(f"    stage {stage['stage_id']}: {len(tasks)} tasks, rows {stage['input_rows']} -> "
              f"{stage['output_rows']}, span {span} ms, tasks' time {busy} ms")
PY
}

same_reports() {
    local f
    for f in "$1"/*.csv "$1"/*.parquet; do
        cmp -s "$f" "$2/${f##*/}" || { echo "DIFFERENT: ${f##*/}"; return 1; }
    done
}

printf '%-5s %-8s %8s %10s %10s %10s %10s  %s\n' round engine wall_s client_MB \
    sched_MB exec1_MB exec2_MB "load before (1, 5, 15 min)"
for r in $(seq 1 "$ROUNDS"); do
    before=$(load)
    /usr/bin/time -v -o "$W/local-$r.time" "$B" run --source "parquet:$SNAP" \
        --out "$W/local-$r" --threads "$LOCAL_THREADS" --quiet --replace 2>/dev/null
    read -r wall rss <<<"$(figures "$W/local-$r.time")"
    printf '%-5s %-8s %8s %10s %10s %10s %10s  %s\n' "$r" local "$wall" "$rss" - - - "$before"

    start_cluster "ballista-$r"
    port=$PORT
    before=$(load)
    /usr/bin/time -v -o "$W/ballista-$r.time" "$B" run --engine "ballista://127.0.0.1:$port" \
        --source "parquet:$SNAP" --out "$W/ballista-$r" --threads "$PARTITIONS" --quiet \
        --replace 2>/dev/null
    stages "$port" >"$W/ballista-$r.stages"
    stop_cluster
    read -r wall rss <<<"$(figures "$W/ballista-$r.time")"
    read -r _ srss <<<"$(figures "$W/ballista-$r.scheduler.time")"
    read -r _ e1 <<<"$(figures "$W/ballista-$r.executor-1.time")"
    read -r _ e2 <<<"$(figures "$W/ballista-$r.executor-2.time")"
    printf '%-5s %-8s %8s %10s %10s %10s %10s  %s\n' "$r" ballista "$wall" "$rss" "$srss" "$e1" "$e2" "$before"
    same_reports "$W/local-$r" "$W/ballista-$r"
done
for r in $(seq 1 "$ROUNDS"); do
    echo "round $r on the cluster:"
    cat "$W/ballista-$r.stages"
done
