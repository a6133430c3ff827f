#!/usr/bin/env bash
# The real binary: keygen, verify of a bundle (written by the fixture
# helper), the README's by-hand verification with plain openssl + sha256sum,
# one-byte tampering refused by both, pdftotext on a PDF, make against a fake
# gateway (fake_gateway.h; a wrong key, an existing --out), and flag errors.
set -euo pipefail
BIN="$TEST_SRCDIR/kaizen/tools/bundle/kaizen_bundle"
WRITE="$TEST_SRCDIR/kaizen/tools/bundle/write_fixture_bundle"
FAKE="$TEST_SRCDIR/kaizen/tools/bundle/fake_gateway_main"
T="$TEST_TMPDIR/sh"
rm -rf "$T"; mkdir -p "$T"; cd "$T"
fail() { echo "FAIL: $*" >&2; exit 1; }

# keygen: 0600, refuses to overwrite.
"$BIN" keygen --private_key k.pem --public_key pub.pem >out.txt
[ "$(stat -c %a k.pem)" = 600 ] || fail "private key mode $(stat -c %a k.pem)"
if "$BIN" keygen --private_key k.pem --public_key pub2.pem 2>err.txt; then fail "keygen overwrote"; fi
grep -q '^OUTPUT_EXISTS: ' err.txt || fail "keygen: $(cat err.txt)"

"$WRITE" k.pem b
"$BIN" verify --public_key pub.pem b >out.txt || fail "verify: $(cat out.txt)"
[ "$(cat out.txt)" = "OK 7 files" ] || fail "verify said: $(cat out.txt)"
"$BIN" verify --public_key pub.pem "$T/b/" >out.txt || fail "verify b/: $(cat out.txt)"

# By hand, as README.md "Verifying without kaizen_bundle" says.
by_hand() {
  local dir="$1"
  ( cd "$dir" &&
    base64 -d manifest.sig >"$T/manifest.sig.bin" &&
    openssl pkeyutl -verify -pubin -inkey "$T/pub.pem" -rawin -in manifest.json \
      -sigfile "$T/manifest.sig.bin" >/dev/null &&
    sed -n 's/^    {"sha256": "\([0-9a-f]\{64\}\)", "size": [0-9]*, "path": "\([A-Za-z0-9._/-]*\)"},\{0,1\}$/\1  \2/p' \
      manifest.json >"$T/SHA256SUMS" &&
    [ "$(wc -l <"$T/SHA256SUMS")" -gt 0 ] &&
    sha256sum --strict --quiet -c "$T/SHA256SUMS" &&
    diff <(find . -type f ! -name manifest.json ! -name manifest.sig | sed 's|^\./||' | sort) \
         <(cut -c67- "$T/SHA256SUMS" | sort) >/dev/null )
}
by_hand b || fail "the README's openssl + sha256sum check refused a good bundle"

# One byte changed in a PDF: both refuse.
cp -r b t1
f=t1/pdf/fy2022_hanako.pdf
printf '\x00' | dd of="$f" bs=1 seek=200 conv=notrunc status=none
if "$BIN" verify --public_key pub.pem t1 2>err.txt; then fail "verify accepted a changed PDF"; fi
grep -q '^FILE_HASH_MISMATCH: pdf/fy2022_hanako.pdf' err.txt || fail "verify: $(cat err.txt)"
if by_hand t1 >/dev/null 2>&1; then fail "by hand accepted a changed PDF"; fi

# One byte changed in the manifest: both refuse.
cp -r b t2
sed -i 's/"242047-fixture"/"242047-fixturf"/' t2/manifest.json
if "$BIN" verify --public_key pub.pem t2 2>err.txt; then fail "verify accepted a changed manifest"; fi
grep -q '^SIGNATURE_INVALID: ' err.txt || fail "verify: $(cat err.txt)"
if by_hand t2 >/dev/null 2>&1; then fail "by hand accepted a changed manifest"; fi

# An extra file: both refuse.
cp -r b t3
echo x >t3/extra.csv
if "$BIN" verify --public_key pub.pem t3 2>err.txt; then fail "verify accepted an extra file"; fi
grep -q '^FILE_UNLISTED: extra.csv' err.txt || fail "verify: $(cat err.txt)"
if by_hand t3 >/dev/null 2>&1; then fail "by hand accepted an extra file"; fi

# The PDF's text, as poppler extracts it.
pdftotext -enc UTF-8 b/pdf/fy2022_hanako.pdf - | grep -q '松阪 花子' || fail "name not in the PDF text"

# make against the fake gateway (fake_gateway.h), which prints its port and
# serves until its stdin closes.
coproc FAKE_GW { "$FAKE"; }
read -r port <&"${FAKE_GW[0]}"
printf 'partner-key-242047\n' >api.key
"$BIN" make --gateway "127.0.0.1:$port" --api_key_file api.key --municipality 242047 \
  --from 2022-04-01 --to 2023-03-31 --signing_key k.pem --out made --bundle_id sh-1 >out.txt \
  || fail "make: $(cat out.txt)"
grep -q '^OK bundle sh-1: 1 people, 6 files in made (1 categories withdrawn' out.txt \
  || fail "make said: $(cat out.txt)"
"$BIN" verify --public_key pub.pem made >out.txt || fail "verify made: $(cat out.txt)"
pdftotext -enc UTF-8 made/pdf/fy2022_hanako.pdf - | grep -q '松阪 花子' || fail "made: no name"
grep -q '"bundleId": "sh-1"' made/manifest.json || fail "made: bundle id"
# A wrong key: the gateway refuses, nothing is written.
printf 'wrong\n' >bad.key
if "$BIN" make --gateway "127.0.0.1:$port" --api_key_file bad.key --municipality 242047 \
  --from 2022-04-01 --to 2023-03-31 --signing_key k.pem --out made2 2>err.txt; then
  fail "make with a wrong key"
fi
grep -q '^GATEWAY_ERROR: ListChanges failed: UNAUTHENTICATED API_KEY_INVALID' err.txt \
  || fail "wrong key: $(cat err.txt)"
[ ! -e made2 ] && ! ls -d made2.tmp-* 2>/dev/null || fail "a failed make left files"
# An existing --out is refused before any call.
if "$BIN" make --gateway "127.0.0.1:$port" --api_key_file api.key --municipality 242047 \
  --from 2022-04-01 --to 2023-03-31 --signing_key k.pem --out made 2>err.txt; then
  fail "make over an existing bundle"
fi
grep -q '^OUTPUT_EXISTS: ' err.txt || fail "existing out: $(cat err.txt)"
fake_pid=$FAKE_GW_PID
eval "exec ${FAKE_GW[1]}>&-"  # EOF on its stdin: it shuts down
wait "$fake_pid" || fail "the fake gateway failed"

# Usage errors exit 2.
set +e
"$BIN" make --gateway 127.0.0.1:1 2>err.txt; rc=$?
set -e
[ $rc = 2 ] && grep -q '^INVALID_FLAG: --api_key_file' err.txt || fail "make without flags: rc=$rc $(cat err.txt)"
set +e
"$BIN" make --gateway 127.0.0.1:1 --api_key_file /dev/null --municipality 242048 --from 2022-04-01 \
  --to 2023-03-31 --signing_key k.pem --out o 2>err.txt; rc=$?
"$BIN" verify b 2>/dev/null; rc2=$?
"$BIN" frobnicate 2>/dev/null; rc3=$?
set -e
[ $rc = 2 ] && grep -q '^INVALID_FLAG: --municipality' err.txt || fail "bad code: rc=$rc $(cat err.txt)"
[ $rc2 = 2 ] || fail "verify without --public_key: rc=$rc2"
[ $rc3 = 2 ] || fail "unknown command: rc=$rc3"
echo PASS
