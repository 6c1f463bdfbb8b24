#!/usr/bin/env bash
# Installs the npm packages of web/ (chart library embedded by the build; playwright-core for the
# browser tests) exactly as web/package-lock.json pins them. Idempotent: does nothing when
# web/node_modules already matches the lockfile. Needs node and npm (Debian: nodejs, npm).
set -euo pipefail
web="$(cd "$(dirname "${BASH_SOURCE[0]}")/../web" && pwd)"
stamp="$web/node_modules/.package-lock.json"
if [ -f "$stamp" ] && [ "$stamp" -nt "$web/package-lock.json" ]; then
  echo "install-web-deps: web/node_modules up to date"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install-web-deps: npm not found (install Debian's nodejs and npm: tools/install-deps.sh)" >&2
  exit 1
fi
cd "$web"
npm ci --no-audit --no-fund --ignore-scripts
touch "$stamp"
