#!/usr/bin/env bash
# A Procfile-style runner without systemd: migrate once, then N app processes on ports
# FIRST_PORT, FIRST_PORT+1, …; stops them all on Ctrl-C. Put nginx (nginx/two-healths.conf)
# in front. Usage: DATABASE_URL=postgresql://… deploy/run.sh [N=2] [FIRST_PORT=8501]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-2}"
first_port="${2:-8501}"
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database every process shares}"
python=".venv/bin/python"

"$python" -m data_model init
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
for ((i = 0; i < count; i++)); do
  port=$((first_port + i))
  "$python" -m streamlit run serve.py --server.headless true --server.address 127.0.0.1 \
    --server.port "$port" --server.fileWatcherType none &
  pids+=("$!")
  echo "app process $((i + 1)) on 127.0.0.1:$port (pid $!)"
done
wait -n
