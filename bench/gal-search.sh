#!/usr/bin/env bash
# Benchmark: Global Address List search latency over a large directory, from the API's point of
# view (the console's grid asks the same Core query). See bench/README.md.
#
#   bench/gal-search.sh [users] [queries]      (defaults 100000 and 300)
#
# Prints the figures and exits 0 whether or not the goal (p95 < 50 ms) is met; exits non-zero
# only when something fails (missing tools, build, slapd, node, API, wrong counts).
set -euo pipefail

USERS="${1:-100000}"
QUERIES="${2:-300}"
if ! [[ "$USERS" =~ ^[1-9][0-9]*$ && "$QUERIES" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [users] [queries]   (positive numbers; defaults 100000 and 300)" >&2
    exit 2
fi

BENCH_NAME="gal-search"
# shellcheck source=bench/lib/cluster.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"

bench_require_tools
bench_enter_root
bench_make_temp mailadmin-gal-bench
say "building MailAdmin.Web (Release) ..."
bench_build MailAdmin.Web

# The three users of the shared directory, then USERS - 3 more with names, titles, departments,
# phones and offices drawn from fixed lists (seeded, so every run searches the same directory).
slapd_write_cluster_directory
# 100,000 entries outgrow mdb's default 10 MB map: 2 GB (a limit, not an allocation).
sed -i 's/^database mdb$/database mdb\nmaxsize 2147483648/' "$TMP/slapd.conf"
say "generating and loading $USERS directory users ..."
python3 "$ROOT/bench/lib/gal-ldif.py" "$((USERS - 3))" "$BASE_DN" "$DOMAIN" >"$TMP/more.ldif"
"$SLAPADD" -q -f "$TMP/slapd.conf" -l "$TMP/more.ldif" >"$TMP/slapadd-more.log" 2>&1 \
    || { tail -n 20 "$TMP/slapadd-more.log" >&2; die "slapadd of the generated users failed"; }
slapd_start

start_node hq
wait_serving hq "$HQ_PID" "$HQ_URL"
cluster_sign_in hq
cluster_set_directory hq ""
say "first directory sync of $USERS users ..."
sync_start=$(now_ms)
cluster_sync hq
sync_ms=$(( $(now_ms) - sync_start ))
added=$(json 'd["added"]')
[[ "$added" == "$USERS" ]] || die "the sync added $added users, not $USERS"

say "running $QUERIES searches ..."
python3 "$ROOT/bench/lib/gal-probe.py" "$HQ_URL" admin "$ADMIN_PW" "$DOMAIN" "$USERS" "$QUERIES" "$sync_ms"
