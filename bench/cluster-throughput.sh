#!/usr/bin/env bash
# Mail throughput across two nodes of a distributed domain: 5 KB messages into the master for a
# user homed on a slave, over 20 concurrent SMTP sessions. Prints the master's accepted msg/s
# and p50/p99 time from the final "." to the 250, and the messages per second delivered end to
# end into the slave's Maildir; beside them, as the baseline, the same load into the slave
# directly for a user homed there (local delivery). See bench/README.md.
#
#   bench/cluster-throughput.sh [messages] [sessions] [bytes]     # defaults 10000 20 5120
#   NODE_ARGS="--Logging:LogLevel:Default=Warning" bench/cluster-throughput.sh   # extra node options
#
# Exits 0 whether or not the goal is met; non-zero only when something fails.
set -euo pipefail

MESSAGES="${1:-10000}"
SESSIONS="${2:-20}"
BYTES="${3:-5120}"
for value in "$MESSAGES" "$SESSIONS" "$BYTES"; do
    if ! [[ "$value" =~ ^[1-9][0-9]*$ ]]; then
        echo "usage: $0 [messages] [sessions] [bytes]   (positive numbers; defaults 10000 20 5120)" >&2
        exit 2
    fi
done

BENCH_NAME="cluster-throughput"
# The shared set-up (tools, temp folder, build, slapd, nodes, API, joining): DOMAIN and the rest.
# shellcheck source=bench/lib/cluster.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"

GOAL_MSGS=500
# Both live in New York, so the slave's placement filter homes them there.
REMOTE_USER="bob.smith@$DOMAIN"   # the cluster run: into the master, forwarded to the slave
LOCAL_USER="dan.brown@$DOMAIN"    # the baseline: into the slave, delivered where it arrives
DELIVERY_TIMEOUT_MS=600000

bench_require_tools
bench_enter_root
bench_make_temp mailadmin-cluster-bench
script_start=$(now_ms)

# --- build --------------------------------------------------------------------------------------
say "building the node and the load generator (Release) ..."
bench_build MailAdmin.Web bench/SmtpLoad
LOAD_DLL="$ROOT/bench/SmtpLoad/bin/Release/net10.0/SmtpLoad.dll"
[[ -f "$LOAD_DLL" ]] || die "build succeeded but $LOAD_DLL is missing"

# --- the directory: three users, two of them in New York ----------------------------------------
slapd_write_cluster_directory
slapd_start
say "slapd listening on ldap://127.0.0.1:$LDAP_PORT (pid $SLAPD_PID)"

# --- the two nodes: hq (master) and ny (slave) --------------------------------------------------
start_node hq
start_node ny
wait_serving hq "$HQ_PID" "$HQ_URL"
wait_serving ny "$NY_PID" "$NY_URL"
say "hq (master to be): pid $HQ_PID, $HQ_URL, SMTP 127.0.0.1:$HQ_SMTP, peer port $HQ_CLUSTER"
say "ny (slave to be):  pid $NY_PID, $NY_URL, SMTP 127.0.0.1:$NY_SMTP"

# Each office runs company.com on its own first, with its placement filter, then ny joins hq.
cluster_configure_domain hq "$HQ_FILTER"
cluster_configure_domain ny "$NY_FILTER"
cluster_join ny

say "ny joined hq; waiting until hq knows ny's users ..."
deadline=$(( $(now_ms) + 60000 ))
until [[ "$(home_on hq "$REMOTE_USER")" == ny && "$(home_on ny "$LOCAL_USER")" == ny ]]; do
    (( $(now_ms) < deadline )) || node_failed hq "hq did not list $REMOTE_USER with home server ny within 60 s"
    sleep 0.5
done

# --- the runs -----------------------------------------------------------------------------------
inbox_count() { # NODE ADDRESS
    local dir="$TMP/$1/mail/$DOMAIN/${2%@*}/new"
    if [[ -d "$dir" ]]; then find "$dir" -type f | wc -l; else echo 0; fi
}


# run LABEL SMTP_PORT RECIPIENT -> prints SmtpLoad's lines, then sets ACCEPTED, P50, P99, E2E, TOTAL_MS, CPU
run() {
    local label="$1" port="$2" recipient="$3" start total hq_cpu ny_cpu
    say "$label: $MESSAGES messages of $BYTES bytes over $SESSIONS sessions; load average $(cut -d' ' -f1-3 /proc/loadavg) ..."
    hq_cpu=$(cpu_ms "$HQ_PID"); ny_cpu=$(cpu_ms "$NY_PID")
    start=$(now_ms)
    dotnet "$LOAD_DLL" 127.0.0.1 "$port" "$SESSIONS" "$MESSAGES" "$BYTES" "$recipient" | tee "$TMP/load.out" \
        || die "$label: SmtpLoad reported refused or failed messages"
    local deadline=$(( $(now_ms) + DELIVERY_TIMEOUT_MS )) count
    while (( (count = $(inbox_count ny "$recipient")) < MESSAGES )); do
        if (( $(now_ms) > deadline )); then
            api hq GET /api/v1/queue
            say "hq's queue: $(json 'str(len(d)) + " messages; first error: " + next((r["lastError"] or "" for m in d for r in m["recipients"] if r["lastError"]), "none")')"
            die "$label: only $count of $MESSAGES messages reached ny's Maildir within $(( DELIVERY_TIMEOUT_MS / 1000 )) s"
        fi
        sleep 0.1
    done
    total=$(( $(now_ms) - start ))
    hq_cpu=$(( $(cpu_ms "$HQ_PID") - hq_cpu )); ny_cpu=$(( $(cpu_ms "$NY_PID") - ny_cpu ))
    CPU=$(awk -v h="$hq_cpu" -v n="$ny_cpu" -v m="$MESSAGES" 'BEGIN { printf "hq %.2f + ny %.2f", h / m, n / m }')
    ACCEPTED=$(awk '/^throughput:/ { print $2 }' "$TMP/load.out")
    P50=$(awk '/^dot-to-250 ms:/ { print $4 }' "$TMP/load.out")
    P99=$(awk '/^dot-to-250 ms:/ { print $8 }' "$TMP/load.out")
    TOTAL_MS=$total
    E2E=$(( MESSAGES * 1000 / (total > 0 ? total : 1) ))
    printf 'delivered into Maildir:  all %d on ny, %d ms after the first message (%d msg/s end to end)\n' "$MESSAGES" "$total" "$E2E"
}

printf '== baseline: one node, local delivery (into ny, for %s, homed on ny) ==\n' "$LOCAL_USER"
run "baseline" "$NY_SMTP" "$LOCAL_USER"
B_ACCEPTED=$ACCEPTED B_P50=$P50 B_P99=$P99 B_E2E=$E2E B_TOTAL=$TOTAL_MS B_CPU=$CPU
printf '\n== across nodes: into the master hq, for %s, homed on the slave ny ==\n' "$REMOTE_USER"
run "hq -> ny" "$HQ_SMTP" "$REMOTE_USER"

MET=$(( E2E >= GOAL_MSGS ))
printf '\n%-28s %-22s %-22s %s\n' "$MESSAGES msgs, $SESSIONS sessions" "single node (ny)" "master -> slave" "goal"
printf '%-28s %-22s %-22s %s\n' "accepted msg/s" "$B_ACCEPTED" "$ACCEPTED" ""
printf '%-28s %-22s %-22s %s\n' "p50 dot-to-250 ms" "$B_P50" "$P50" ""
printf '%-28s %-22s %-22s %s\n' "p99 dot-to-250 ms" "$B_P99" "$P99" ""
printf '%-28s %-22s %-22s %s\n' "delivered msg/s end to end" "$B_E2E" "$E2E" ">= $GOAL_MSGS msg/s end to end: $([[ $MET == 1 ]] && echo met || echo NOT met)"
printf '%-28s %-22s %-22s %s\n' "total time" "$(awk -v t="$B_TOTAL" 'BEGIN { printf "%.1f s", t / 1000 }')" "$(awk -v t="$TOTAL_MS" 'BEGIN { printf "%.1f s", t / 1000 }')" ""
printf '%-28s %-22s %-22s %s\n' "node CPU ms per message" "$B_CPU" "$CPU" "(user + system time of each node process)"
say "($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); whole script $(( ($(now_ms) - script_start) / 1000 )) s)"
