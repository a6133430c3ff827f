#!/bin/bash
# Generates a TypeScript client from the gateway's OpenAPI document with
# openapi-typescript and type-checks testdata/ts/check.ts against it with
# tsc --strict (both pinned in testdata/ts/package-lock.json, installed by
# tools/setup.sh). Then removes one operation's response schema from the
# document and checks that the same program no longer compiles, so the test
# shows it fails when an operation loses its types.
#
# Skipped (exit 0, with a message) only when no node is installed at all;
# node without the pinned packages is a failure that says what to run.
set -euo pipefail

NODE="$(command -v node || true)"
[ -z "$NODE" ] && [ -x /usr/bin/node ] && NODE=/usr/bin/node
if [ -z "$NODE" ]; then
  echo "SKIPPED: node is not installed (tools/setup.sh installs it); TypeScript check not run"
  exit 0
fi

runfiles="${TEST_SRCDIR}/${TEST_WORKSPACE}"
dump="$runfiles/services/gateway/openapi_dump"
ts_src="$(dirname "$(readlink -f "$runfiles/services/gateway/testdata/ts/package.json")")"
gen="$ts_src/node_modules/openapi-typescript/bin/cli.js"
tsc="$ts_src/node_modules/typescript/bin/tsc"
if [ ! -f "$gen" ] || [ ! -f "$tsc" ]; then
  echo "FAIL: $ts_src/node_modules lacks openapi-typescript or typescript;" \
       "run 'bash tools/setup.sh' (npm ci of the pinned lock file)" >&2
  exit 1
fi

work="${TEST_TMPDIR}/ts"
mkdir -p "$work"
cp "$runfiles/services/gateway/testdata/ts/check.ts" "$runfiles/services/gateway/testdata/ts/tsconfig.json" "$work/"
"$dump" > "$work/openapi.json"

generate_and_check() {  # $1: document; output in $work/check.log
  rm -f "$work/api.ts"
  "$NODE" "$gen" "$1" -o "$work/api.ts" > "$work/gen.log" 2>&1 || { cat "$work/gen.log"; return 2; }
  (cd "$work" && "$NODE" "$tsc" -p tsconfig.json) > "$work/check.log" 2>&1
}

if ! generate_and_check "$work/openapi.json"; then
  echo "FAIL: check.ts does not type-check against the generated client:" >&2
  cat "$work/check.log" >&2
  exit 1
fi
echo "ok: $(grep -c 'operationId\|^    [A-Za-z_0-9]*: {$' "$work/api.ts" || true) lines of operations generated; check.ts type-checks"

# The same program against a document where GetCohort lost its response.
"$NODE" -e '
  const fs = require("fs");
  const doc = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  delete doc.paths["/v1/cohorts/{cohort}"].get.responses["200"].content;
  fs.writeFileSync(process.argv[2], JSON.stringify(doc));
' "$work/openapi.json" "$work/broken.json"
if generate_and_check "$work/broken.json"; then
  echo "FAIL: check.ts still type-checks after GetCohort lost its response type" >&2
  exit 1
fi
if ! grep -q "check.ts" "$work/check.log"; then
  echo "FAIL: the broken document failed for another reason:" >&2
  cat "$work/check.log" >&2
  exit 1
fi
echo "ok: losing GetCohort's response type breaks the build:"
head -3 "$work/check.log"
