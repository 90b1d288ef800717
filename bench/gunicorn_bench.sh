#!/usr/bin/env bash
# Gunicorn worker classes compared with wrk on loopback: production settings, gunicorn.conf.py,
# the demo notes on a fresh PostgreSQL database (dropped at the end). Prints a Markdown table.
#   BENCH_PG       PostgreSQL server URL (default postgres://postgres@127.0.0.1:5432)
#   BENCH_DB       database name, dropped and re-created (default notes_site_h3)
#   BENCH_SECONDS  wrk duration per run (default 15); BENCH_ROUNDS rounds of every setup (default 1)
#   BENCH_SETUPS   space-separated class:workers:threads (default: sync vs gthread, see below)
# Needs wrk (apt-get install -y wrk). Writes staticfiles/ (collectstatic), as a deployment does.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$(bin/setup)
py="$venv/bin/python"
command -v wrk >/dev/null || { echo "bench: needs wrk (apt-get install -y wrk)" >&2; exit 1; }

server=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
db=${BENCH_DB:-notes_site_h3}
seconds=${BENCH_SECONDS:-15}
rounds=${BENCH_ROUNDS:-1}
cores=$(nproc)
# sync: gunicorn's 2 x cores + 1; gthread: cores + 1 processes with 4 threads each, and more
# processes with fewer threads.
setups=${BENCH_SETUPS:-"sync:$((2 * cores + 1)):1 gthread:$((cores + 1)):4 gthread:$((2 * cores + 1)):2"}
bind=127.0.0.1:8766

export DJANGO_SETTINGS_MODULE=notes_site.settings.production
SECRET_KEY=$("$py" -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL="$server/$db"
export BEHIND_TLS_PROXY=true
export WEB_BIND=$bind
export PGOPTIONS="--client-min-messages=warning"

hz=$(getconf CLK_TCK)
gunicorn_pid=
# CPU time (user + system, clock ticks) of the gunicorn master and its workers so far: per
# request it shows the cost of a setup even when other processes share the cores.
cpu_ticks() {
  local pid total=0 stat
  for pid in "$gunicorn_pid" $(pgrep -P "$gunicorn_pid"); do
    read -r -a stat <"/proc/$pid/stat"
    total=$((total + stat[13] + stat[14]))
  done
  echo "$total"
}
stop_gunicorn() {
  if [ -n "$gunicorn_pid" ] && kill -0 "$gunicorn_pid" 2>/dev/null; then
    kill -TERM "$gunicorn_pid"
    wait "$gunicorn_pid" 2>/dev/null || true
  fi
  gunicorn_pid=
}
cleanup() {
  status=$?
  stop_gunicorn
  psql -q "$server/postgres" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql -q "$server/postgres" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
psql -q "$server/postgres" -c "CREATE DATABASE \"$db\""
# Setup output (including the app's log lines on stdout) stays out of the table.
{
  "$py" manage.py migrate --noinput -v0
  "$py" manage.py load_demo
  "$py" manage.py collectstatic --noinput -v0
} >/dev/null
# The longest demo note: the heaviest reader page.
article=$("$py" manage.py shell -v0 -c '
from django.db.models.functions import Length
from articles.models import Article
print(Article.objects.published().order_by(Length("body_html").desc()).first().get_absolute_url())
' 2>/dev/null | tail -n 1)
pages="home=/ note=$article rss=/feeds/rss/"

echo "$(date -u +%FT%TZ), $cores cores, load average $(cut -d' ' -f1-3 /proc/loadavg)," \
  "wrk -t2 -c16 -d${seconds}s --latency, X-Forwarded-Proto: https"
echo
echo "| setup | page | req/s | p50 ms | p99 ms | CPU ms/req | errors |"
echo "|---|---|---:|---:|---:|---:|---:|"
for round in $(seq "$rounds"); do
  for setup in $setups; do
    IFS=: read -r class workers threads <<<"$setup"
    WEB_WORKER_CLASS=$class WEB_CONCURRENCY=$workers WEB_THREADS=$threads \
      "$venv/bin/gunicorn" --config gunicorn.conf.py --access-logfile /dev/null \
      notes_site.wsgi >/dev/null 2>&1 &
    gunicorn_pid=$!
    until curl -fs -o /dev/null -H "X-Forwarded-Proto: https" "http://$bind/healthz/ready"; do
      kill -0 "$gunicorn_pid" 2>/dev/null || { echo "gunicorn exited ($setup)" >&2; exit 1; }
      sleep 0.5
    done
    for page in $pages; do
      name=${page%%=*} url=${page#*=}
      # Warm every worker (templates, KaTeX CSS lookups, database connections) first.
      wrk -t2 -c16 -d2s -H "X-Forwarded-Proto: https" "http://$bind$url" >/dev/null
      before=$(cpu_ticks)
      out=$(wrk -t2 -c16 -d"${seconds}s" --latency -H "X-Forwarded-Proto: https" "http://$bind$url")
      after=$(cpu_ticks)
      awk -v setup="$class w=$workers t=$threads" -v page="$name" \
        -v cpu_ms=$(((after - before) * 1000 / hz)) '
        function ms(v) {
          if (v ~ /us$/) return v / 1000
          if (v ~ /ms$/) return v + 0
          if (v ~ /s$/) return v * 1000
          return v
        }
        $2 == "requests" { n = $1 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /^Requests\/sec/ { rps = $2 }
        /Non-2xx|Socket errors/ { errors = errors $0 " " }
        END {
          printf "| %s | %s | %.0f | %.1f | %.1f | %.1f | %s |\n",
            setup, page, rps, p50, p99, cpu_ms / n, errors ? errors : "0"
        }' <<<"$out"
    done
    stop_gunicorn
  done
done
