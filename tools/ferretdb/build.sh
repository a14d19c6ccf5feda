#!/usr/bin/env bash
# Builds the embedded FerretDB helper to $1, with the one patch runbook-bot carries:
# patches/postgresql-query.go replaces FerretDB v1.24.2's internal/backends/postgresql/
# query.go so an `_id` equality filter uses the collection's `_id` index (see the comment
# in that file). The module is copied out of Go's read-only module cache, patched, and
# swapped in with a throw-away go.work, so tools/ferretdb/go.mod stays the plain upstream.
set -euo pipefail
cd "$(dirname "$0")"
out=$1
module=github.com/FerretDB/FerretDB
version=v1.24.2
# sha256 of the upstream file the patch replaces: a FerretDB upgrade must revisit the patch.
upstream_sha=ea570b470e4eca660f30b862a7cf9fb482f35eea2a14da28170e1765103a9a61

command -v go >/dev/null || { echo "Go is not installed (needs /usr/local/go/bin/go or go on PATH; go.mod asks for 1.24+)" >&2; exit 127; }
go mod download "$module"
dir=$(go list -m -f '{{.Dir}}' "$module")
[[ $(go list -m -f '{{.Version}}' "$module") == "$version" ]] || { echo "tools/ferretdb needs $module $version for its patch" >&2; exit 1; }
target=internal/backends/postgresql/query.go
echo "$upstream_sha  $dir/$target" | sha256sum --check --quiet || { echo "$module $version's $target is not the file patches/ was written for" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$dir" "$work/ferretdb"
chmod -R u+w "$work/ferretdb"
cp patches/postgresql-query.go "$work/ferretdb/$target"
cat >"$work/go.work" <<WORK
go 1.24

use $PWD

replace $module $version => $work/ferretdb
WORK
GOWORK="$work/go.work" CGO_ENABLED=0 go build -o "$out" .
