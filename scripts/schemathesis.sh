#!/usr/bin/env bash
# Fuzz the API against its own OpenAPI schema, once per role, with schemathesis.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kata_fuzz bash scripts/schemathesis.sh
#
# The database (PostgreSQL, created beforehand, may be empty) is migrated and seeded
# with the demo organisation (`manage.py seed_demo`); its data is changed by the run,
# so give it a throwaway database. One demo user per role (admin, manager, member,
# interviewer, recruiter) gets an API token; gunicorn serves the app on a free port;
# schemathesis generates requests from /api/schema/ for every operation and fails on
# any 5xx, any answer that does not match its documented schema, and any status the
# schema does not document. Exits non-zero on any failure; the server is stopped.
#
# Budget: the examples and fuzzing phases, SCHEMATHESIS_MAX_EXAMPLES cases per
# operation (default 10: about 1,000 cases and 60-70 s per role on 2 cores, some 7
# minutes in all with the seeding). The coverage phase is left out: it alone sends
# some 8,500 cases per role.
#
# Optional: SCHEMATHESIS_MAX_EXAMPLES, SCHEMATHESIS_SEED (default 1: the same cases
# each run), SCHEMATHESIS_ROLES (a subset,
# e.g. "admin member"), SCHEMATHESIS_REPORT_DIR (JUnit reports, default
# test-artifacts/schemathesis).
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?Set DATABASE_URL to a throwaway PostgreSQL database}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "schemathesis.sh: DATABASE_URL must be a PostgreSQL database" >&2; exit 2 ;;
esac

BIN=.venv/bin
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-10}
SEED=${SCHEMATHESIS_SEED:-1}
ROLES=${SCHEMATHESIS_ROLES:-"member interviewer recruiter manager admin"}
REPORT_DIR=${SCHEMATHESIS_REPORT_DIR:-test-artifacts/schemathesis}
# Demo users (seed_demo): the admin deletes and changes the most, so runs last.
declare -A USERS=(
  [admin]=admin [manager]=tanaka [member]=sato [interviewer]=ito [recruiter]=kobayashi
)

# The laptop settings without DEBUG: error pages as in production, tasks in-process.
export DJANGO_SETTINGS_MODULE=config.settings.local DEBUG=false LOG_LEVEL=ERROR
unset REDIS_URL CACHE_URL
# The token endpoint's throttle and the login lockout would answer 429 to the fuzzer
# trying passwords; both are documented, but keep them out of the way of other cases.
export AUTH_THROTTLE_RATE=100000/min LOGIN_FAILURE_LIMIT=100000

step() { printf '\n=== %s ===\n' "$*"; }
started=$SECONDS

step "Database: migrate and seed the demo organisation"
$BIN/python manage.py migrate --no-input -v 0
$BIN/python manage.py seed_demo >/dev/null
# Without DEBUG, pages (a 404 outside the API's routes too) need the static manifest.
$BIN/python manage.py collectstatic --no-input -v 0

step "Tokens, one per role"
declare -A TOKENS
while read -r role token; do
  TOKENS[$role]=$token
done < <(
  for role in $ROLES; do echo "$role ${USERS[$role]:?unknown role $role}"; done |
    $BIN/python manage.py shell -v 0 -c "
import sys
from rest_framework.authtoken.models import Token
from accounts.models import User
for line in sys.stdin:
    role, username = line.split()
    user = User.objects.get(username=username)
    print(role, Token.objects.get_or_create(user=user)[0].key)
"
)
for role in $ROLES; do
  [ -n "${TOKENS[$role]:-}" ] || { echo "schemathesis.sh: no token for $role" >&2; exit 1; }
done

step "Server: gunicorn on a free port"
PORT=$($BIN/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SERVER_LOG=$(mktemp)
# --limit-request-line 0: the fuzzer's longest query strings would otherwise be
# answered 414 by gunicorn itself, before the app whose schema this checks.
$BIN/gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers 2 --timeout 60 \
  --limit-request-line 0 --access-logfile /dev/null >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}
trap stop_server EXIT
for _ in $(seq 60); do
  $BIN/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "http://127.0.0.1:$PORT/healthz/" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SERVER_LOG"; exit 1; }
  sleep 0.5
done

mkdir -p "$REPORT_DIR"
REPORT_DIR=$(cd "$REPORT_DIR" && pwd)
# No crash cache in the work tree: every run starts from the same seed.
CONFIG=$(mktemp --suffix=.toml)
printf '[cache]\nenabled = false\n' >"$CONFIG"
failed=()
for role in $ROLES; do
  step "schemathesis as $role (${USERS[$role]}), $MAX_EXAMPLES examples per operation"
  role_started=$SECONDS
  if ! $BIN/schemathesis --config-file "$CONFIG" run "http://127.0.0.1:$PORT/api/schema/" \
    --header "Authorization: Token ${TOKENS[$role]}" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance \
    --phases examples,fuzzing \
    --max-examples "$MAX_EXAMPLES" \
    --workers 2 \
    --seed "$SEED" \
    --generation-database none \
    --request-timeout 30 \
    --no-color \
    --report junit --report-junit-path "$REPORT_DIR/$role.xml"; then
    failed+=("$role")
  fi
  echo "($role: $((SECONDS - role_started)) s)"
done

if grep -q "Traceback" "$SERVER_LOG"; then
  step "Server errors"
  grep -v " WARNING django.request " "$SERVER_LOG"
fi
rm -f "$SERVER_LOG" "$CONFIG"
step "schemathesis: $((SECONDS - started)) s in all"
if [ ${#failed[@]} -gt 0 ]; then
  echo "schemathesis found failures as: ${failed[*]}" >&2
  exit 1
fi
echo "schemathesis: no failures for $ROLES"
