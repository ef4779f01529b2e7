#!/usr/bin/env bash
# Mailbox migration ("Migrate Here") against a plain copy on the same disk. Sets up a
# distributed domain of two nodes, hq (master) and ny (slave); fills Bob's Maildir on ny with
# realistic messages; times `tar c | tar x` of that Maildir on the same disk (the physical
# baseline); then moves the mailbox to hq through the API (POST /api/v1/migrations on hq, the
# target) and follows the job until it is completed. Prints both in MB/s side by side, their
# ratio (goal >= 0.5), the user's lock-out (goal < 2000 ms) and when each state began; checks
# that hq's Maildir holds exactly what was seeded and that ny's copy is gone. See bench/README.md.
#
#   bench/migration.sh [megabytes] [message-kb]     # defaults 1024 50: 1 GB in about 21,000 messages
#   NODE_ARGS="--Migration:MaxKilobytesPerSecond=0" bench/migration.sh 200   # extra node options
#
# MB is 1,048,576 bytes throughout. Exits 0 whether or not the goals are met; non-zero only when
# something fails (tools, build, nodes, API, the migration itself, or the checks afterwards).
set -euo pipefail

MEGABYTES="${1:-1024}"
MESSAGE_KB="${2:-50}"
for value in "$MEGABYTES" "$MESSAGE_KB"; do
    if ! [[ "$value" =~ ^[1-9][0-9]*$ ]]; then
        echo "usage: $0 [megabytes] [message-kb]   (positive numbers; defaults 1024 50)" >&2
        exit 2
    fi
done

BENCH_NAME="migration"
# The shared set-up (tools, temp folder, build, slapd, nodes, API, joining): DOMAIN and the rest.
# shellcheck source=bench/lib/cluster.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"
LIB="$ROOT/bench/lib"

GOAL_RATIO="0.5"
GOAL_LOCKOUT_MS=2000
LOCAL_PART="bob.smith"             # homed on ny by its placement filter (l=New York)
ADDRESS="$LOCAL_PART@$DOMAIN"
POLL_INTERVAL="0.2"
TOTAL_BYTES=$(( MEGABYTES * 1048576 ))
MEAN_BYTES=$(( MESSAGE_KB * 1024 ))
POLL_TIMEOUT_S=$(( 600 + MEGABYTES * 4 ))
# Timestamps in the nodes' logs (UTC, ms), so the report can show when hq logged each state.
LOG_ARGS=(--Logging:Console:FormatterName=simple --Logging:Console:FormatterOptions:SingleLine=true --Logging:Console:FormatterOptions:UseUtcTimestamp=true
    "--Logging:Console:FormatterOptions:TimestampFormat=yyyy-MM-ddTHH:mm:ss.fffZ ")

bench_require_tools tar
bench_enter_root
bench_make_temp mailadmin-migration-bench
script_start=$(now_ms)

# Everything is in $TMP: the Maildir on ny beside the tar copy, later beside hq's copy; two at a time.
free_bytes=$(df -B1 --output=avail "$TMP" | tail -n 1 | tr -d ' ')
needed=$(( TOTAL_BYTES * 2 + 512 * 1048576 ))
(( free_bytes > needed )) || die "$TMP has $(( free_bytes / 1048576 )) MB free; a run of $MEGABYTES MB needs about $(( needed / 1048576 )) MB (set TMPDIR elsewhere)"

# --- build, directory, nodes ------------------------------------------------------------------
say "building the node (Release) ..."
bench_build MailAdmin.Web

slapd_write_cluster_directory
slapd_start
say "slapd listening on ldap://127.0.0.1:$LDAP_PORT (pid $SLAPD_PID)"

# No free-space reserve: the benchmark's mailbox may be large next to a small test disk.
start_node hq --Migration:ReserveMegabytes=0 "${LOG_ARGS[@]}"
start_node ny --Migration:ReserveMegabytes=0 "${LOG_ARGS[@]}"
wait_serving hq "$HQ_PID" "$HQ_URL"
wait_serving ny "$NY_PID" "$NY_URL"
say "hq (master to be, the migration's target): pid $HQ_PID, $HQ_URL, peer port $HQ_CLUSTER"
say "ny (slave to be, the mailbox's home):      pid $NY_PID, $NY_URL, peer port $NY_CLUSTER"

cluster_configure_domain hq "$HQ_FILTER"
cluster_configure_domain ny "$NY_FILTER"
cluster_join ny
say "ny joined hq; waiting until hq lists $ADDRESS with home server ny ..."
wait_home hq "$ADDRESS" ny 60

# --- Bob's Maildir on ny ----------------------------------------------------------------------
NY_PARENT="$TMP/ny/mail/$DOMAIN"
NY_BOX="$NY_PARENT/$LOCAL_PART"
HQ_BOX="$TMP/hq/mail/$DOMAIN/$LOCAL_PART"
[[ ! -e "$NY_BOX" ]] || die "ny already has a Maildir at $NY_BOX"

# listing DIR -> "relative-path<TAB>size" of every file, sorted
listing() { find "$1" -type f -printf '%P\t%s\n' | LC_ALL=C sort; }
# content_sha DIR -> sha256 of every file's bytes, in sorted path order
content_sha() { (cd "$1" && find . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 -r cat) | sha256sum | cut -d' ' -f1; }
# count_in LISTING_FILE FOLDER -> files under FOLDER/ in the listing
count_in() { awk -F'\t' -v folder="$2/" 'index($1, folder) == 1 { n++ } END { print n + 0 }' "$1"; }

say "seeding $MEGABYTES MB of messages of about $MESSAGE_KB KB into ny's Maildir for $ADDRESS ..."
seed_start=$(now_ms)
seeded=$(python3 "$LIB/seed-maildir.py" "$NY_BOX" "$TOTAL_BYTES" "$MEAN_BYTES" "$ADDRESS") || die "seeding the Maildir failed"
sync
seed_ms=$(( $(now_ms) - seed_start ))
read -r SEED_FILES SEED_BYTES <<<"$seeded"
listing "$NY_BOX" >"$TMP/seed.list"
SEED_NEW=$(count_in "$TMP/seed.list" new)
SEED_CUR=$(count_in "$TMP/seed.list" cur)
(( $(wc -l <"$TMP/seed.list") == SEED_FILES )) || die "the seeder reported $SEED_FILES files but $NY_BOX holds $(wc -l <"$TMP/seed.list")"
SEED_SHA=$(content_sha "$NY_BOX")
say "  $SEED_FILES messages ($SEED_NEW in new/, $SEED_CUR in cur/ with :2,S), $SEED_BYTES bytes, written and synced in $seed_ms ms"

# --- the physical baseline: tar | tar on the same disk ----------------------------------------
TAR_DEST="$TMP/tar-copy"
mkdir -p "$TAR_DEST"
say "baseline: tar c -C ny's mail/$DOMAIN $LOCAL_PART | tar x -C $TAR_DEST, then sync ..."
sync
tar_start=$(now_ms)
TIMEFORMAT='%U %S'
{ time { tar c -C "$NY_PARENT" "$LOCAL_PART" | tar x -C "$TAR_DEST"; }; } 2>"$TMP/tar.time" || { cat "$TMP/tar.time" >&2; die "tar c | tar x failed"; }
sync
TAR_MS=$(( $(now_ms) - tar_start ))
TAR_CPU_MS=$(tail -n 1 "$TMP/tar.time" | awk '{ printf "%d", ($1 + $2) * 1000 }')
listing "$TAR_DEST/$LOCAL_PART" | cmp -s - "$TMP/seed.list" || die "the tar copy differs from the seeded Maildir"
rm -rf "$TAR_DEST"
sync
say "  $TAR_MS ms"

# --- the migration ----------------------------------------------------------------------------
migration_failed() { # MESSAGE
    local name
    for name in hq ny; do
        say "--- last lines of $name's log ($TMP/$name.log) ---"
        tail -n 40 "$TMP/$name.log" >&2 || true
    done
    die "$1"
}

say "migration: POST /api/v1/migrations {\"users\": [\"$ADDRESS\"]} on hq; polling GET /api/v1/migrations every ${POLL_INTERVAL}s ..."
follow_status=0
hq_cpu=$(cpu_ms "$HQ_PID"); ny_cpu=$(cpu_ms "$NY_PID")
python3 "$LIB/migrate-and-follow.py" "$HQ_URL" "$TMP/hq.cookies" "$ADDRESS" "$POLL_TIMEOUT_S" "$TMP/result.json" "$POLL_INTERVAL" || follow_status=$?
HQ_CPU_MS=$(( $(cpu_ms "$HQ_PID") - hq_cpu )); NY_CPU_MS=$(( $(cpu_ms "$NY_PID") - ny_cpu ))
case $follow_status in
    0) ;;
    3) migration_failed "the migration of $ADDRESS did not complete: $(python3 -c 'import json, sys; j = json.load(open(sys.argv[1]))["job"]; print(j["state"] + ": " + str(j.get("error") or j.get("result")))' "$TMP/result.json")" ;;
    4) migration_failed "the migration of $ADDRESS did not finish within $POLL_TIMEOUT_S s" ;;
    6) migration_failed "POST /api/v1/migrations on hq failed" ;;
    *) migration_failed "following the migration failed (exit status $follow_status)" ;;
esac
sleep 0.5 # the console logger writes from a queue: let it catch up before the log is read

# --- checks -----------------------------------------------------------------------------------
failures=()
if [[ -d "$HQ_BOX" ]]; then
    listing "$HQ_BOX" >"$TMP/hq.list"
    HQ_FILES=$(wc -l <"$TMP/hq.list")
    HQ_BYTES=$(awk -F'\t' '{ s += $2 } END { print s + 0 }' "$TMP/hq.list")
    HQ_NEW=$(count_in "$TMP/hq.list" new)
    HQ_CUR=$(count_in "$TMP/hq.list" cur)
    HQ_CHECK="$HQ_FILES files ($HQ_NEW in new/, $HQ_CUR in cur/), $HQ_BYTES bytes"
    if cmp -s "$TMP/hq.list" "$TMP/seed.list"; then
        HQ_CHECK+=", names and sizes as seeded"
    else
        HQ_CHECK+=", NOT as seeded ($SEED_FILES files, $SEED_BYTES bytes)"
        failures+=("hq's Maildir differs from the seeded one")
        diff "$TMP/seed.list" "$TMP/hq.list" | head -n 10 >&2 || true
    fi
    if [[ "$(content_sha "$HQ_BOX")" == "$SEED_SHA" ]]; then
        HQ_CHECK+=", content as seeded (sha256)"
    else
        HQ_CHECK+=", content NOT as seeded (sha256)"
        failures+=("the content of hq's Maildir differs from the seeded one")
    fi
else
    HQ_CHECK="MISSING ($HQ_BOX)"
    failures+=("hq has no Maildir for $ADDRESS")
fi
if [[ -e "$NY_BOX" ]]; then
    NY_CHECK="STILL THERE: $(find "$NY_BOX" -type f | wc -l) files"
    failures+=("ny's copy of the Maildir is still there")
else
    NY_CHECK="gone"
fi

# --- report -----------------------------------------------------------------------------------
python3 "$LIB/migration-report.py" "$TMP/result.json" "$TMP/hq.log" \
    "tar_ms=$TAR_MS" "tar_cpu_ms=$TAR_CPU_MS" "hq_cpu_ms=$HQ_CPU_MS" "ny_cpu_ms=$NY_CPU_MS" \
    "seed_bytes=$SEED_BYTES" "seed_files=$SEED_FILES" "message_kb=$MESSAGE_KB" \
    "goal_ratio=$GOAL_RATIO" "goal_lockout_ms=$GOAL_LOCKOUT_MS" "address=$ADDRESS" \
    "hq_check=$HQ_CHECK" "ny_check=$NY_CHECK" || die "the report failed"

say "($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); whole script $(( ($(now_ms) - script_start) / 1000 )) s)"
if ((${#failures[@]})); then
    die "after the migration: $(printf "%s; " "${failures[@]}")"
fi
exit 0
