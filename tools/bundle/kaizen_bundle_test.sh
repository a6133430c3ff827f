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

# keygen: 0600, refuses to overwrite, prints the fingerprint openssl computes.
"$BIN" keygen --private_key k.pem --public_key pub.pem >out.txt
[ "$(stat -c %a k.pem)" = 600 ] || fail "private key mode $(stat -c %a k.pem)"
FP="$(openssl pkey -pubin -in pub.pem -outform DER | sha256sum | cut -c1-64)"
grep -q ", key SHA-256 $FP\$" out.txt || fail "keygen fingerprint: $(cat out.txt) vs $FP"
if "$BIN" keygen --private_key k.pem --public_key pub2.pem 2>err.txt; then fail "keygen overwrote"; fi
grep -q '^OUTPUT_EXISTS: ' err.txt || fail "keygen: $(cat err.txt)"

"$WRITE" k.pem b
# Private to its owner: the operator widens access on purpose.
[ "$(stat -c %a b) $(stat -c %a b/pdf) $(stat -c %a b/bundle.json) $(stat -c %a b/pdf/fy2022_hanako.pdf)" \
  = "700 700 600 600" ] || fail "modes: $(stat -c '%a %n' b b/pdf b/* b/pdf/*)"
V=("$BIN" verify --public_key pub.pem --municipality 242047)
"${V[@]}" b >out.txt || fail "verify: $(cat out.txt)"
want="OK bundle 242047-fixture municipality 242047 period 2022-04-01..2023-03-31 created 2022-07-01T09:00:00+09:00, 7 files, key SHA-256 $FP"
[ "$(cat out.txt)" = "$want" ] || fail "verify said: $(cat out.txt)"
"${V[@]}" --from 2022-04-01 --to 2023-03-31 "$T/b/" >out.txt || fail "verify b/: $(cat out.txt)"
# Another town's or period's genuine bundle, or the bundle's own key: refused.
if "$BIN" verify --public_key pub.pem --municipality 242012 b 2>err.txt; then fail "another town"; fi
grep -q '^BUNDLE_MISMATCH: ' err.txt || fail "another town: $(cat err.txt)"
if "${V[@]}" --to 2024-03-31 b 2>err.txt; then fail "another period"; fi
grep -q '^BUNDLE_MISMATCH: ' err.txt || fail "another period: $(cat err.txt)"
set +e
"$BIN" verify --public_key b/public_key.pem --municipality 242047 b 2>err.txt; rc=$?
"$BIN" verify --public_key pub.pem b 2>err2.txt; rc2=$?
set -e
[ $rc = 2 ] && grep -q '^INVALID_FLAG: --public_key' err.txt || fail "own key: rc=$rc $(cat err.txt)"
[ $rc2 = 2 ] && grep -q '^INVALID_FLAG: --municipality' err2.txt || fail "no town: rc=$rc2"

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
    diff <(find . -mindepth 1 ! -type d ! -path ./manifest.json ! -path ./manifest.sig |
             sed 's|^\./||' | sort) \
         <(cut -c67- "$T/SHA256SUMS" | sort) >/dev/null &&
    [ -z "$(find . -mindepth 1 ! -type f ! \( -path ./pdf -type d \))" ] )
}
by_hand b || fail "the README's openssl + sha256sum check refused a good bundle"

# One byte changed in a PDF: both refuse.
cp -r b t1
f=t1/pdf/fy2022_hanako.pdf
printf '\x00' | dd of="$f" bs=1 seek=200 conv=notrunc status=none
if "${V[@]}" t1 2>err.txt; then fail "verify accepted a changed PDF"; fi
grep -q '^FILE_HASH_MISMATCH: pdf/fy2022_hanako.pdf' err.txt || fail "verify: $(cat err.txt)"
if by_hand t1 >/dev/null 2>&1; then fail "by hand accepted a changed PDF"; fi

# One byte changed in the manifest: both refuse.
cp -r b t2
sed -i 's/"242047-fixture"/"242047-fixturf"/' t2/manifest.json
if "${V[@]}" t2 2>err.txt; then fail "verify accepted a changed manifest"; fi
grep -q '^SIGNATURE_INVALID: ' err.txt || fail "verify: $(cat err.txt)"
if by_hand t2 >/dev/null 2>&1; then fail "by hand accepted a changed manifest"; fi

# An extra file: both refuse.
cp -r b t3
echo x >t3/extra.csv
if "${V[@]}" t3 2>err.txt; then fail "verify accepted an extra file"; fi
grep -q '^FILE_UNLISTED: extra.csv' err.txt || fail "verify: $(cat err.txt)"
if by_hand t3 >/dev/null 2>&1; then fail "by hand accepted an extra file"; fi

# What the old recipe let through: a second manifest.json in pdf/, a listed
# file swapped for a symlink to a same-content copy, an empty extra directory.
refused_by_both() {
  local dir="$1" what="$2" reason="$3"
  if "${V[@]}" "$dir" 2>err.txt; then fail "verify accepted $what"; fi
  grep -q "^$reason: " err.txt || fail "$what: $(cat err.txt)"
  if by_hand "$dir" >/dev/null 2>&1; then fail "by hand accepted $what"; fi
}
cp -r b t4; cp b/manifest.json t4/pdf/manifest.json
refused_by_both t4 "pdf/manifest.json" FILE_UNLISTED
cp -r b t5; mv t5/attendance.csv "$T/attendance.copy"; ln -s "$T/attendance.copy" t5/attendance.csv
refused_by_both t5 "a symlinked file" FILE_MISSING
cp -r b t6; mkdir t6/notes
refused_by_both t6 "an empty directory" FILE_UNLISTED

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
"${V[@]}" made >out.txt || fail "verify made: $(cat out.txt)"
grep -q '^OK bundle sh-1 municipality 242047 period 2022-04-01..2023-03-31 created ' out.txt \
  || fail "verify made said: $(cat out.txt)"
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

# Checked before any call (127.0.0.1:1 has no gateway: reaching it would
# say GATEWAY_ERROR): the font, a dangling symlink as --out, a missing parent.
M=("$BIN" make --gateway 127.0.0.1:1 --api_key_file api.key --municipality 242047
   --from 2022-04-01 --to 2023-03-31 --signing_key k.pem)
if "${M[@]}" --out o1 --font "DejaVu Sans" 2>err.txt; then fail "make with a Latin font"; fi
grep -q '^FONT_MISSING: ' err.txt || fail "font: $(cat err.txt)"
ln -s "$T/nowhere" dangling
if "${M[@]}" --out dangling 2>err.txt; then fail "make over a dangling symlink"; fi
grep -q '^OUTPUT_EXISTS: ' err.txt || fail "dangling: $(cat err.txt)"
if "${M[@]}" --out "$T/no/such/dir" 2>err.txt; then fail "make into a missing parent"; fi
grep -q '^IO_ERROR: ' err.txt || fail "parent: $(cat err.txt)"
# A signing key others can read: a warning (then the missing gateway).
cp k.pem k-open.pem; chmod 644 k-open.pem
if "${M[@]}" --out o2 --signing_key k-open.pem 2>err.txt; then fail "make without a gateway"; fi
grep -q '^warning: k-open.pem can be read by group or others' err.txt || fail "no warning: $(cat err.txt)"
grep -q '^GATEWAY_ERROR: ' err.txt || fail "no gateway: $(cat err.txt)"
# Plaintext leaves this machine only with --insecure.
set +e
"${M[@]}" --gateway 0.0.0.0:1 --out o3 2>err.txt; rc=$?
set -e
[ $rc = 2 ] && grep -q '^INVALID_FLAG: --gateway: is not on this machine' err.txt \
  || fail "remote plaintext: rc=$rc $(cat err.txt)"
if "${M[@]}" --gateway 0.0.0.0:1 --insecure --out o3 2>err.txt; then fail "insecure ok?"; fi
grep -q '^GATEWAY_ERROR: ' err.txt || fail "--insecure: $(cat err.txt)"

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
