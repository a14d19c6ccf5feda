#!/usr/bin/env bash
# Regenerates test/fixtures/alerts/rendered/*.json with Alertmanager's own code
# (see README.md). Needs Go (go.mod's version or newer) and the Go module proxy.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then
  PATH=/usr/local/go/bin:$PATH
fi
command -v go >/dev/null || { echo "Go is not installed (needs go on PATH or /usr/local/go/bin/go)" >&2; exit 127; }
exec go run . -out ../../test/fixtures/alerts/rendered "$@"
