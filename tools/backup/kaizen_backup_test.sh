#!/usr/bin/env bash
# kaizen_backup end to end, with the real binary and a second process writing
# to the database through the services' storage layer (WAL):
#   back up while the writer commits -> the copy passes the integrity check
#   and is one snapshot (tables a and b have equal counts);
#   restore while the writer has the file open -> refused, DATABASE_IN_USE;
#   stop the writer, destroy the database, restore -> data back, check clean;
#   a damaged backup -> refused, BACKUP_CORRUPT, database untouched;
#   bad flags -> exit 2.
set -euo pipefail
root="${TEST_SRCDIR}/${TEST_WORKSPACE:-kaizen}"
tool="$root/tools/backup/kaizen_backup"
writer="$root/tools/backup/backup_test_writer"
work="${TEST_TMPDIR:-$(mktemp -d)}/backup"
rm -rf "$work"
mkdir -p "$work/data" "$work/backups"
db="$work/data/enrollment.db"

fail() { echo "FAIL: $*" >&2; exit 1; }
field() {  # json key -> the number or string value (flat keys only)
  sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p" <<<"$1"
}
count() {  # verify-json table -> rows
  sed -n "s/.*\"tables\":{[^}]*\"$2\":\([0-9]*\).*/\1/p" <<<"$1"
}

"$writer" --db="$db" --rows=3000 --ready="$work/ready" --stop="$work/stop" \
  >"$work/writer.out" 2>"$work/writer.err" &
wpid=$!
trap 'touch "$work/stop"; wait $wpid 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  [ -e "$work/ready" ] && break
  kill -0 $wpid 2>/dev/null || { cat "$work/writer.err" >&2; fail "writer died"; }
  sleep 0.05
done
[ -e "$work/ready" ] || fail "writer never filled the database"

# 1. Online backup, in small steps, while the writer commits.
out=$("$tool" --db="$db" --out_dir="$work/backups" --pages_per_step=4) || fail "backup: $out"
echo "$out"
[ "$(field "$out" integrity)" = ok ] || fail "backup summary: $out"
backup=$(field "$out" out)
[ -f "$backup" ] || fail "no backup file at $backup"
[[ "$(basename "$backup")" =~ ^enrollment-[0-9]{8}T[0-9]{6}Z\.db$ ]] || fail "name $backup"
[ "$(field "$out" steps)" -gt 10 ] || fail "not copied in steps: $out"
ls "$work/backups" | grep -q tmp && fail "temporary file left: $(ls "$work/backups")"
# No personal data in the summary: only paths, sizes, counts, times.
grep -q '"tables"' <<<"$out" && fail "backup summary lists tables"

# 2. The copy is whole and one snapshot.
v=$("$tool" --verify="$backup") || fail "verify backup: $v"
a=$(count "$v" a); b=$(count "$v" b)
[ "$a" -ge 3000 ] && [ "$a" = "$b" ] || fail "inconsistent copy a=$a b=$b: $v"

# 3. Restore is refused while another process has the database open.
if err=$("$tool" --restore --from="$backup" --db="$db" 2>&1); then fail "restore ran while in use"; fi
grep -q '"reason":"DATABASE_IN_USE"' <<<"$err" || fail "in use: $err"

# 4. Stop the writer: it committed during the backup, so the live database
# has more rows than the copy.
touch "$work/stop"
wait $wpid || fail "writer exited $?: $(cat "$work/writer.err")"
trap - EXIT
live=$("$tool" --verify="$db")
[ "$(count "$live" a)" -gt "$a" ] || fail "writer made no progress past the snapshot"

# 5. Destroy the database (and its WAL), restore, data back.
rm -f "$db" "$db-wal" "$db-shm"
r=$("$tool" --restore --from="$backup" --db="$db") || fail "restore: $r"
echo "$r"
[ "$(field "$r" integrity)" = ok ] || fail "restore summary: $r"
grep -q '"replaced":null' <<<"$r" || fail "nothing was replaced: $r"
v=$("$tool" --verify="$db") || fail "verify restored: $v"
[ "$(count "$v" a)" = "$a" ] && [ "$(count "$v" b)" = "$a" ] || fail "data not back: $v"

# 6. Restore over an existing database keeps it as .replaced-<time>.
r=$("$tool" --restore --from="$backup" --db="$db") || fail "second restore: $r"
replaced=$(field "$r" replaced)
[ -f "$replaced" ] || fail "replaced file missing: $r"
"$tool" --verify="$replaced" >/dev/null || fail "the replaced file is damaged"

# 7. A damaged backup is refused, and the database stays as it was.
cp "$backup" "$work/bad.db"
dd if=/dev/urandom of="$work/bad.db" bs=4096 seek=10 count=4 conv=notrunc status=none
if err=$("$tool" --restore --from="$work/bad.db" --db="$db" 2>&1); then fail "damaged backup restored"; fi
grep -q '"reason":"BACKUP_CORRUPT"' <<<"$err" || fail "damaged: $err"
if err=$("$tool" --verify="$work/bad.db" 2>&1); then fail "damaged backup verified"; fi
v=$("$tool" --verify="$db") || fail "database damaged by a refused restore"
[ "$(count "$v" a)" = "$a" ] || fail "database changed by a refused restore"

# 8. Never overwrite a backup; bad flags exit 2.
code=0; "$tool" --db="$db" --out="$backup" 2>/dev/null || code=$?
[ $code = 1 ] || fail "overwrote a backup (exit $code)"
for args in "--out=$work/x.db" "--db=$db" "--db=$db --out=$work/x.db --out_dir=$work" \
            "--restore --db=$db" "--verify=$db --db=$db" "--db=$db --out=$work/x.db --pages_per_step=0"; do
  code=0; "$tool" $args 2>"$work/err" || code=$?
  [ $code = 2 ] || fail "kaizen_backup $args exited $code, want 2"
  grep -q '"reason":"INVALID_FLAG"' "$work/err" || fail "no INVALID_FLAG for $args"
done
echo PASS
