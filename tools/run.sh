#!/usr/bin/env bash
# Entry point of `npm test`, `npm run demo` and `npm run stack`: provisions what they need
# (Node 24, npm packages, Kafka jars) on a fresh machine, then hands over to the Node tool.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/node.sh
ensure_node

# Reinstall only when the lock file changed since the last install in this tree.
stamp=node_modules/.install-stamp
lock_sum=$(sha256sum package-lock.json 2>/dev/null | cut -d' ' -f1 || echo none)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  echo "› npm ci (Node $(node --version))" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$lock_sum" > "$stamp"
fi

command=${1:?usage: tools/run.sh test|demo|stack [args]}
shift
exec node "tools/$command.mjs" "$@"
