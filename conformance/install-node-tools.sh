#!/usr/bin/env bash
# Install the pinned Node tools of conformance/tools/ (Redocly CLI, openapi-to-postmanv2, tsc)
# into a cache folder outside the checkout: conformance/install-node-tools.sh [DIR]
# (default: $CALLR_MOCK_NODE_TOOLS or ~/.cache/callr-mock/node-tools). A second run with the
# same lock file does nothing. tests/test_openapi_tools.py looks in the same place.
set -euo pipefail
here="$(cd "$(dirname "$0")/tools" && pwd)"
dir="${1:-${CALLR_MOCK_NODE_TOOLS:-$HOME/.cache/callr-mock/node-tools}}"
mkdir -p "$dir"
if cmp -s "$here/package-lock.json" "$dir/package-lock.json" && [ -x "$dir/node_modules/.bin/tsc" ]; then
  echo "node tools: up to date in $dir"
  exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$dir/"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
# npm ci rewrites nothing, but keep the copy that proves what is installed
cp "$here/package-lock.json" "$dir/package-lock.json"
echo "node tools: installed in $dir"
