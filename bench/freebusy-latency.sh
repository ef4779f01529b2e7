#!/usr/bin/env bash
# Free/busy for 20 attendees spread over three nodes, from the console's point of view: the
# console's node (hq, the master) asks the free/busy of all 20 at once, as a meeting planner
# does, for the default eight weeks; 7 attendees live on hq, 7 on ny and 6 on sea, so 13 of
# the 20 answers come from another node over the peer channel (gRPC, mutual TLS). Every
# attendee first gets a calendar from real iMIP invitations sent over SMTP to their home
# server. Prints the p50/p95/p99 of a whole view (all 20 answers in) and of single requests.
# See bench/README.md.
#
#   bench/freebusy-latency.sh [views]     # default 200
#   NODE_ARGS="--Logging:LogLevel:Default=Warning" bench/freebusy-latency.sh
#
# Exits 0 whether or not the goal is met; non-zero only when something fails.
set -euo pipefail

VIEWS="${1:-200}"
if ! [[ "$VIEWS" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [views]   (a positive number; default 200)" >&2
    exit 2
fi

BENCH_NAME="freebusy-latency"
# shellcheck source=bench/lib/cluster.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"

GOAL_P95_MS=100
SEA_PID=""
HQ_FILTER_3='(!(|(l=New York)(l=Seattle)))'
SEA_FILTER='(l=Seattle)'

# The shared cleanup knows hq and ny; sea is stopped first.
stop_sea() {
    if [[ -n "$SEA_PID" ]] && kill -0 "$SEA_PID" 2>/dev/null; then
        kill "$SEA_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SEA_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$SEA_PID" 2>/dev/null || true
        wait "$SEA_PID" 2>/dev/null || true
    fi
}

bench_require_tools
bench_enter_root
bench_make_temp mailadmin-freebusy-bench
trap 'stop_sea; bench_cleanup' EXIT
script_start=$(now_ms)

say "building the node and the load generator (Release) ..."
bench_build MailAdmin.Web bench/FreeBusyLoad
LOAD_DLL="$ROOT/bench/FreeBusyLoad/bin/Release/net10.0/FreeBusyLoad.dll"
[[ -f "$LOAD_DLL" ]] || die "build succeeded but $LOAD_DLL is missing"

# --- the directory: 20 attendees, 7 in Prague (hq), 7 in New York (ny), 6 in Seattle (sea) -----
slapd_write_cluster_directory
slapd_start
say "slapd listening on ldap://127.0.0.1:$LDAP_PORT (pid $SLAPD_PID)"
ATTENDEES=()
: >"$TMP/attendees.ldif"
for spec in "p Prague Prague 7" "n Newyork New_York 7" "s Seattle Seattle 6"; do
    read -r uid given city count <<<"$spec"
    for i in $(seq 1 "$count"); do
        ldif_person "$uid$i" "$given$i" Person "${city//_/ }" >>"$TMP/attendees.ldif"
        ATTENDEES+=("${given,,}$i.person@$DOMAIN")
    done
done
ldapadd -x -H "ldap://127.0.0.1:$LDAP_PORT" -D "$BIND_DN" -w "$BIND_PW" -f "$TMP/attendees.ldif" >"$TMP/ldapadd.log" 2>&1 \
    || { tail -n 20 "$TMP/ldapadd.log" >&2; die "ldapadd of the attendees failed"; }

# --- three nodes: hq (master), ny and sea (slaves) ----------------------------------------------
start_node hq
start_node ny
start_node sea
wait_serving hq "$HQ_PID" "$HQ_URL"
wait_serving ny "$NY_PID" "$NY_URL"
wait_serving sea "$SEA_PID" "$SEA_URL"
cluster_configure_domain hq "$HQ_FILTER_3"
cluster_configure_domain ny "$NY_FILTER"
cluster_configure_domain sea "$SEA_FILTER"
cluster_join ny
cluster_join sea
say "ny and sea joined hq; waiting until hq knows where everyone lives ..."
wait_home hq "newyork1.person@$DOMAIN" ny 90
wait_home hq "seattle1.person@$DOMAIN" sea 90
wait_home ny "seattle1.person@$DOMAIN" sea 90
wait_home sea "newyork1.person@$DOMAIN" ny 90

# Each attendee's invitations go to the incoming port of their home server.
targets=()
for address in "${ATTENDEES[@]}"; do
    case "$address" in
        prague*) targets+=("$address=$HQ_SMTP") ;;
        newyork*) targets+=("$address=$NY_SMTP") ;;
        *) targets+=("$address=$SEA_SMTP") ;;
    esac
done

say "seeding calendars and measuring $VIEWS views from hq's console; load average $(cut -d' ' -f1-3 /proc/loadavg) ..."
dotnet "$LOAD_DLL" "$HQ_URL" "$ADMIN_PW" "$VIEWS" "${targets[@]}" | tee "$TMP/load.out" || die "FreeBusyLoad failed"
printf '(homes: hq SMTP %s, ny SMTP %s, sea SMTP %s)\n' "$HQ_SMTP" "$NY_SMTP" "$SEA_SMTP"
for label in "same range" "new range "; do
    P95=$(grep -F "[$label] view ms" "$TMP/load.out" | awk '{ for (i = 1; i <= NF; i++) if ($i == "p95") print $(i + 1) }')
    MET=$(awk -v p="$P95" -v g="$GOAL_P95_MS" 'BEGIN { print (p < g) ? "met" : "NOT met" }')
    printf 'goal [%s]: p95 of a 20-attendee view < %d ms: %s (p95 %s ms)\n' "$label" "$GOAL_P95_MS" "$MET" "$P95"
done
say "($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); whole script $(( ($(now_ms) - script_start) / 1000 )) s)"
