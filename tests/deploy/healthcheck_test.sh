#!/bin/bash
# The image's health check script (deploy/docker/healthcheck.sh) against a
# real crmstream: it fails while nothing listens on the port, then succeeds
# once `crmstream demo` serves /healthz with 200, polled until a deadline.
# usage: healthcheck_test.sh SOURCE_DIR CRMSTREAM_BINARY
set -u
source_dir=$1 binary=$2
check="$source_dir/deploy/docker/healthcheck.sh"
work=$(mktemp -d)
demo_pid=""
cleanup() {
  [ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# A free port: bind one with python, read it back, let it go.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

if CRMSTREAM_HTTP_PORT=$port "$check" 2>/dev/null; then
  echo "FAIL: health check passed with nothing listening on $port"; exit 1
fi

(cd "$work" && exec "$binary" demo --duration 120 --customers 200 --http-port "$port" >demo.out 2>demo.err) &
demo_pid=$!
deadline=$((SECONDS + 60))
until CRMSTREAM_HTTP_PORT=$port "$check" 2>"$work/check.err"; do
  if ! kill -0 "$demo_pid" 2>/dev/null; then
    echo "FAIL: crmstream demo exited"; tail -5 "$work/demo.err"; exit 1
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "FAIL: /healthz not healthy within 60 s: $(cat "$work/check.err")"; exit 1
  fi
  sleep 0.2  # polling interval, not synchronisation: the loop waits for the answer
done
echo "health check: 1 passed, 0 failed (refused without a server, 200 from crmstream demo on port $port)"
