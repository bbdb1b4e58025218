#!/usr/bin/env bash
# Run the playground for a class on one machine: K Streamlit processes behind nginx, one address.
#
#   deploy/run_class.sh [K] [PORT]     e.g. deploy/run_class.sh 2 8080  ->  http://<this machine>:8080
#
# K defaults to the number of cores (one process uses about one core). The processes listen on
# 127.0.0.1:FIRST_PORT… (default 8501…); nginx listens on PORT (default 8080) on every interface
# (LISTEN=127.0.0.1 keeps it local). Needs nginx (Debian: apt-get install nginx); no root needed.
# PYTHON picks the interpreter (default: python3 on PATH). Ctrl-C (or SIGTERM) stops everything.
set -euo pipefail

K=${1:-$(nproc)}
PORT=${2:-8080}
FIRST_PORT=${FIRST_PORT:-8501}
LISTEN=${LISTEN:-0.0.0.0}
PYTHON=${PYTHON:-python3}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SITE="$ROOT/deploy/nginx-playground.conf"

[ -x "$NGINX" ] || { echo "nginx not found: apt-get install nginx (or set NGINX=/path/to/nginx)" >&2; exit 1; }
[ "$K" -ge 1 ] 2>/dev/null || { echo "K must be a number of processes >= 1, got '$K'" >&2; exit 1; }

RUN=$(mktemp -d "${TMPDIR:-/tmp}/playground-class.XXXXXX")
pids=()
stop() {
    trap - EXIT INT TERM
    [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$RUN"
}
trap stop EXIT
trap 'exit 0' INT TERM

cd "$ROOT"  # Streamlit reads .streamlit/config.toml from the working directory
servers=""
for ((i = 0; i < K; i++)); do
    port=$((FIRST_PORT + i))
    "$PYTHON" -m streamlit run app.py --server.headless true --server.address 127.0.0.1 --server.port "$port" \
        --server.fileWatcherType none --browser.gatherUsageStats false >"$RUN/streamlit-$port.log" 2>&1 &
    pids+=($!)
    servers+="    server 127.0.0.1:$port;\n"
done

healthy() { "$PYTHON" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$1" 2>/dev/null; }
for ((i = 0; i < K; i++)); do
    port=$((FIRST_PORT + i))
    for ((t = 0; t < 240; t++)); do
        healthy "http://127.0.0.1:$port/_stcore/health" && break
        kill -0 "${pids[$i]}" 2>/dev/null || { echo "Streamlit on port $port stopped:" >&2; cat "$RUN/streamlit-$port.log" >&2; exit 1; }
        sleep 0.25
    done
    healthy "http://127.0.0.1:$port/_stcore/health" || { echo "Streamlit on port $port did not start" >&2; exit 1; }
done

# The site file with this run's servers and port, inside a main file that keeps everything in $RUN.
awk -v servers="$servers" -v listen="$LISTEN:$PORT" '
    /# servers:begin/ { print; printf "%s", servers; skip = 1; next }
    /# servers:end/   { skip = 0 }
    skip              { next }
    /^[ \t]*listen /  { sub(/listen [^;]*;/, "listen " listen ";") }
    { print }' "$SITE" >"$RUN/site.conf"
user_line=""
[ "$(id -u)" -eq 0 ] && user_line="user $(id -un) $(id -gn);"  # workers must read and write $RUN
cat >"$RUN/nginx.conf" <<EOF
$user_line
worker_processes 1;
daemon off;
pid $RUN/nginx.pid;
error_log $RUN/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $RUN/client_body;
    proxy_temp_path $RUN/proxy;
    fastcgi_temp_path $RUN/fastcgi;
    uwsgi_temp_path $RUN/uwsgi;
    scgi_temp_path $RUN/scgi;
    include $RUN/site.conf;
}
EOF
"$NGINX" -t -q -p "$RUN" -c "$RUN/nginx.conf"
"$NGINX" -p "$RUN" -c "$RUN/nginx.conf" &
pids+=($!)
echo "Sequence Playground: $K Streamlit process(es) on 127.0.0.1:$FIRST_PORT… behind nginx at http://$LISTEN:$PORT" \
     "(logs in $RUN; Ctrl-C stops)"
wait -n "${pids[@]}"  # one process ending (a crash) stops the rest
echo "a process stopped; stopping the others" >&2
exit 1
