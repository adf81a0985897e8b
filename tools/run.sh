#!/usr/bin/env bash
# Entry point of `npm test`, `npm run demo` and `npm run stack`: provisions what they need
# (Node 24, npm packages, Kafka jars) on a fresh machine, then hands over to the Node tool.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/node.sh
ensure_node

# Reinstall only when the lock file or a dependency patch (patches/, applied by the postinstall)
# changed since the last install in this tree.
stamp=node_modules/.install-stamp
lock_sum=$(cat package-lock.json patches/*.patch 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  # Not `npm ci`: the registry these machines reach serves only the linux-x64 builds of packages
  # that ship native binaries as optional dependencies (buf, nx, unrs), so the lock file cannot list
  # the other platforms' builds and `npm ci` refuses it. `npm install --no-save` installs exactly the
  # locked versions and leaves the lock file untouched.
  echo "› npm install from package-lock.json (Node $(node --version))" >&2
  # A patched package is installed afresh: patch-package applies a changed patch only to the
  # package as published, and npm leaves a package that is already there as it is.
  for patch in patches/*.patch; do
    [ -e "$patch" ] || continue
    package=$(basename "$patch" .patch)
    package=${package%+*}
    rm -rf "node_modules/${package//+//}"
  done
  npm install --no-save --no-audit --no-fund --loglevel=error >&2
  echo "$lock_sum" > "$stamp"
fi

command=${1:?usage: tools/run.sh test|demo|stack|bench/exchange|bench/bulk|audit-verify|pii-rotate|keys-hash [args]}
shift

# Everything but `test` (whose own phases build, lint and test each project) imports the built
# workspace, so build it first: Nx caches, so an unchanged tree costs a few seconds. On a clean
# clone this is where the front door used to fail (ERR_MODULE_NOT_FOUND for @cie/contracts/dist).
if [ "$command" != test ]; then
  echo "› building the workspace (nx, cached)" >&2
  mkdir -p .stack
  if ! NX_DAEMON=false npx --no -- nx run-many -t build --outputStyle=static >.stack/build.log 2>&1; then
    cat .stack/build.log >&2
    echo "run.sh: the build failed (above); nothing was started" >&2
    exit 1
  fi
fi
exec node --disable-warning=TimeoutNegativeWarning "tools/$command.mjs" "$@"
