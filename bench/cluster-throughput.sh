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

GOAL_MSGS=500
DOMAIN="company.com"
BASE_DN="dc=company,dc=com"
BIND_DN="cn=admin,dc=company,dc=com"
BIND_PW="secret"
ADMIN_PW="Bench-Admin-Password-1"
# Both live in New York, so the slave's placement filter homes them there.
REMOTE_USER="bob.smith@$DOMAIN"   # the cluster run: into the master, forwarded to the slave
LOCAL_USER="dan.brown@$DOMAIN"    # the baseline: into the slave, delivered where it arrives
DELIVERY_TIMEOUT_MS=600000

say() { printf '%s\n' "$*" >&2; }
die() { say "cluster-throughput: $*"; exit 1; }

# --- tools --------------------------------------------------------------------------------------
find_tool() {
    local name="$1"
    if [[ -x "/usr/sbin/$name" ]]; then
        echo "/usr/sbin/$name"
    elif command -v "$name" >/dev/null 2>&1; then
        command -v "$name"
    fi
}

SLAPD="$(find_tool slapd)"
SLAPADD="$(find_tool slapadd)"
LDAPSEARCH="$(find_tool ldapsearch)"
missing=()
packages="slapd ldap-utils"
[[ -n "$SLAPD" ]] || missing+=(slapd)
[[ -n "$SLAPADD" ]] || missing+=(slapadd)
[[ -n "$LDAPSEARCH" ]] || missing+=(ldapsearch)
for tool in curl python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        missing+=("$tool")
        packages+=" $tool"
    fi
done
if ((${#missing[@]})); then
    say "missing: ${missing[*]}"
    say "install them with:  apt-get install -y $packages"
    exit 1
fi
if ! command -v dotnet >/dev/null 2>&1; then
    say "missing: dotnet (the .NET 10 SDK, https://dotnet.microsoft.com/download)"
    say "and for the directory:  apt-get install -y slapd ldap-utils"
    exit 1
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# --- temp folder, and cleanup of everything this script starts ---------------------------------
TMP="$(mktemp -d "${TMPDIR:-/tmp}/mailadmin-cluster-bench.XXXXXX")"
SLAPD_PID=""
HQ_PID=""
NY_PID=""
cleanup() {
    local pid
    for pid in "$NY_PID" "$HQ_PID" "$SLAPD_PID"; do
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
script_start=$(now_ms)

# --- build --------------------------------------------------------------------------------------
say "building the node and the load generator (Release) ..."
dotnet build MailAdmin.Web -c Release -nologo -v quiet >"$TMP/build.log" 2>&1 || { tail -n 40 "$TMP/build.log" >&2; die "dotnet build MailAdmin.Web -c Release failed"; }
dotnet build bench/SmtpLoad -c Release -nologo -v quiet >>"$TMP/build.log" 2>&1 || { tail -n 40 "$TMP/build.log" >&2; die "dotnet build bench/SmtpLoad -c Release failed"; }
NODE_DLL="$ROOT/MailAdmin.Web/bin/Release/net10.0/MailAdmin.Web.dll"
LOAD_DLL="$ROOT/bench/SmtpLoad/bin/Release/net10.0/SmtpLoad.dll"
[[ -f "$NODE_DLL" ]] || die "build succeeded but $NODE_DLL is missing"
[[ -f "$LOAD_DLL" ]] || die "build succeeded but $LOAD_DLL is missing"

# --- the directory: three users, two of them in New York ----------------------------------------
mkdir -p "$TMP/db"
cat >"$TMP/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema

pidfile  $TMP/slapd.pid
argsfile $TMP/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb

database mdb
suffix    "$BASE_DN"
rootdn    "$BIND_DN"
rootpw    $BIND_PW
directory $TMP/db
index objectClass,uid,mail eq

access to attrs=userPassword
    by self write
    by anonymous auth
    by * none
access to *
    by * read
EOF

person() { # uid given family city
    printf 'dn: uid=%s,ou=People,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s %s\ngivenName: %s\nsn: %s\nmail: %s.%s@%s\nl: %s\n\n' \
        "$1" "$BASE_DN" "$1" "$2" "$3" "$2" "$3" "${2,,}" "${3,,}" "$DOMAIN" "$4"
}
{
    printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\no: Company\ndc: company\n\n' "$BASE_DN"
    printf 'dn: ou=People,%s\nobjectClass: organizationalUnit\nou: People\n\n' "$BASE_DN"
    person alice Alice Novak Prague
    person bob Bob Smith "New York"
    person dan Dan Brown "New York"
} >"$TMP/data.ldif"
"$SLAPADD" -q -f "$TMP/slapd.conf" -l "$TMP/data.ldif" >"$TMP/slapadd.log" 2>&1 || { tail -n 20 "$TMP/slapadd.log" >&2; die "slapadd failed"; }

LDAP_PORT=""
for attempt in 1 2 3; do
    port=$(free_port)
    "$SLAPD" -f "$TMP/slapd.conf" -h "ldap://127.0.0.1:$port/" -d none >"$TMP/slapd.log" 2>&1 &
    SLAPD_PID=$!
    for _ in $(seq 150); do
        kill -0 "$SLAPD_PID" 2>/dev/null || break
        if "$LDAPSEARCH" -x -H "ldap://127.0.0.1:$port" -b "" -s base "(objectClass=*)" namingContexts >/dev/null 2>&1; then
            LDAP_PORT=$port
            break
        fi
        sleep 0.1
    done
    [[ -n "$LDAP_PORT" ]] && break
    kill "$SLAPD_PID" 2>/dev/null || true
    wait "$SLAPD_PID" 2>/dev/null || true
    SLAPD_PID=""
    say "slapd did not start on port $port (attempt $attempt):"
    tail -n 5 "$TMP/slapd.log" >&2 || true
done
[[ -n "$LDAP_PORT" ]] || die "slapd did not accept connections"
say "slapd listening on ldap://127.0.0.1:$LDAP_PORT (pid $SLAPD_PID)"

# --- the two nodes: hq (master) and ny (slave) --------------------------------------------------
# start_node NAME: sets <NAME>_PID, <NAME>_URL, <NAME>_SMTP, <NAME>_CLUSTER
start_node() {
    local name="$1" http smtp submission cluster pid
    http=$(free_port); smtp=$(free_port); submission=$(free_port); cluster=$(free_port)
    # shellcheck disable=SC2086 # NODE_ARGS is a list of options
    dotnet "$NODE_DLL" \
        "--urls=http://127.0.0.1:$http" "--Node:Name=$name" --Node:PublicHost=127.0.0.1 "--Node:DataDir=$TMP/$name" \
        "--Admin:InitialPassword=$ADMIN_PW" "--Cluster:Port=$cluster" --Cluster:ListenAddress=127.0.0.1 \
        "--Smtp:Port=$smtp" "--Smtp:SubmissionPort=$submission" --Smtp:ListenAddress=127.0.0.1 \
        --Directory:SyncIntervalMinutes=0 ${NODE_ARGS:-} >"$TMP/$name.log" 2>&1 &
    pid=$!
    printf -v "${name^^}_PID" '%s' "$pid"
    printf -v "${name^^}_URL" '%s' "http://127.0.0.1:$http"
    printf -v "${name^^}_SMTP" '%s' "$smtp"
    printf -v "${name^^}_CLUSTER" '%s' "$cluster"
}

node_failed() { # NAME MESSAGE
    say "--- last lines of $1's log ---"
    tail -n 40 "$TMP/$1.log" >&2 || true
    die "$2"
}

wait_serving() { # NAME PID URL
    local deadline=$(( $(now_ms) + 90000 ))
    until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$3/healthz" || true)" == "200" ]]; do
        kill -0 "$2" 2>/dev/null || node_failed "$1" "node $1 exited before /healthz answered 200"
        (( $(now_ms) < deadline )) || node_failed "$1" "node $1 did not answer /healthz within 90 s"
        sleep 0.2
    done
}

start_node hq
start_node ny
wait_serving hq "$HQ_PID" "$HQ_URL"
wait_serving ny "$NY_PID" "$NY_URL"
say "hq (master to be): pid $HQ_PID, $HQ_URL, SMTP 127.0.0.1:$HQ_SMTP, peer port $HQ_CLUSTER"
say "ny (slave to be):  pid $NY_PID, $NY_URL, SMTP 127.0.0.1:$NY_SMTP"

# api NAME METHOD PATH [JSON] -> sets STATUS and BODY; each node has its own cookie jar
api() {
    local name="$1" method="$2" path="$3" data="${4:-}" url out
    url="${name^^}_URL"
    local args=(-s -b "$TMP/$name.cookies" -c "$TMP/$name.cookies" -X "$method" --max-time 120 -o "$TMP/body" -w '%{http_code}')
    [[ -n "$data" ]] && args+=(-H 'Content-Type: application/json' --data "$data")
    out=$(curl "${args[@]}" "${!url}$path") || out="000"
    STATUS="$out"
    BODY="$(cat "$TMP/body" 2>/dev/null || true)"
}
expect() { # NAME WANT WHAT
    if [[ "$STATUS" != "$2" ]]; then
        say "$3 on $1 answered HTTP $STATUS (expected $2):"
        say "$BODY"
        node_failed "$1" "$3 failed"
    fi
}
json() { printf '%s' "$BODY" | python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

# Each office runs company.com on its own first, with its placement filter, then ny joins hq.
for name in hq ny; do
    if [[ $name == hq ]]; then filter='(!(l=New York))'; else filter='(l=New York)'; fi
    api "$name" POST /api/v1/session "{\"username\":\"admin\",\"password\":\"$ADMIN_PW\"}"
    expect "$name" 204 "POST /api/v1/session"
    api "$name" POST /api/v1/domains "{\"name\":\"$DOMAIN\"}"
    expect "$name" 201 "POST /api/v1/domains"
    api "$name" PUT "/api/v1/domains/$DOMAIN/directory" \
        "{\"host\":\"127.0.0.1\",\"port\":$LDAP_PORT,\"security\":\"none\",\"bindDn\":\"$BIND_DN\",\"bindPassword\":\"$BIND_PW\",\"baseDn\":\"$BASE_DN\",\"profile\":\"openldap\",\"placementFilter\":\"$filter\"}"
    expect "$name" 204 "PUT /api/v1/domains/$DOMAIN/directory"
    api "$name" POST "/api/v1/domains/$DOMAIN/directory/sync"
    expect "$name" 200 "POST /api/v1/domains/$DOMAIN/directory/sync"
done

MASTER_HOST="127.0.0.1:$HQ_CLUSTER"
api ny POST /api/v1/cluster/distributable "{\"masterHost\":\"$MASTER_HOST\",\"username\":\"admin\",\"password\":\"$ADMIN_PW\"}"
expect ny 200 "POST /api/v1/cluster/distributable"
FINGERPRINT=$(json 'd["fingerprint"]')
api ny POST /api/v1/cluster/connect "{\"masterHost\":\"$MASTER_HOST\",\"username\":\"admin\",\"password\":\"$ADMIN_PW\",\"domain\":\"$DOMAIN\",\"fingerprint\":\"$FINGERPRINT\"}"
expect ny 200 "POST /api/v1/cluster/connect"

home_on() { # NODE ADDRESS -> the home server NODE lists for ADDRESS
    api "$1" GET "/api/v1/users?domain=$DOMAIN&pageSize=500"
    [[ "$STATUS" == 200 ]] || return 0
    json "next((u['homeServer'] for u in d['items'] if u['address'] == '$2'), '')"
}
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

TICKS=$(getconf CLK_TCK)
cpu_ms() { awk -v hz="$TICKS" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat"; } # user + system time of PID

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
