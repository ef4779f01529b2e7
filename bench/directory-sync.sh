#!/usr/bin/env bash
# Benchmark: the first full directory sync of N users against a raw ldapsearch dump of the same
# entries, both from one private slapd, in one run. See bench/README.md.
#
#   bench/directory-sync.sh [users]        (default 10000)
#
# Prints the figures and exits 0 whether or not the goal (sync <= 1.5 x dump) is met; exits
# non-zero only when something fails (missing tools, build, slapd, node, API, wrong counts).
set -euo pipefail

USERS="${1:-10000}"
if ! [[ "$USERS" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [users]   (a positive number of directory users, default 10000)" >&2
    exit 2
fi

# slapd_start comes from the library the cluster benchmarks share; this script's own say, die,
# free_port and settings below are defined after it and take precedence.
BENCH_NAME="directory-sync"
# shellcheck source=bench/lib/cluster.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"

GOAL_RATIO="1.5"
RUNS=3
GROUP_SIZE=100
MAX_GROUPS=5
BASE_DN="dc=company,dc=com"
BIND_DN="cn=admin,dc=company,dc=com"
BIND_PW="secret"
DOMAIN="company.com"
ADMIN_PW="Bench-Password-1"
USER_FILTER="(objectClass=inetOrgPerson)"
USER_ATTRS=(uid cn givenName sn mail l title telephoneNumber departmentNumber entryUUID)
# The same group filter and attributes the node's OpenLDAP profile asks for.
GROUP_FILTER="(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))"
GROUP_ATTRS=(entryUUID cn mail member uniqueMember)

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# --- 1. tools -----------------------------------------------------------------------------------
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
[[ -n "$SLAPD" ]] || missing+=(slapd)
[[ -n "$SLAPADD" ]] || missing+=(slapadd)
[[ -n "$LDAPSEARCH" ]] || missing+=(ldapsearch)
packages="slapd ldap-utils"
if ! command -v curl >/dev/null 2>&1; then
    missing+=(curl)
    packages+=" curl"
fi
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
HAVE_PYTHON=0
command -v python3 >/dev/null 2>&1 && python3 -c 'pass' >/dev/null 2>&1 && HAVE_PYTHON=1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# --- temp folder, and cleanup of everything this script starts ---------------------------------
TMP="$(mktemp -d "${TMPDIR:-/tmp}/mailadmin-bench.XXXXXX")"
SLAPD_PID=""
NODE_PID=""
cleanup() {
    local pid
    for pid in "$NODE_PID" "$SLAPD_PID"; do
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

free_port() {
    if ((HAVE_PYTHON)); then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
        return
    fi
    local port
    for _ in $(seq 200); do
        port=$(( 20000 + RANDOM % 40000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    die "no free loopback port found"
}

# --- 2. build the node once --------------------------------------------------------------------
say "building MailAdmin.Web (Release) ..."
build_start=$(now_ms)
if ! dotnet build MailAdmin.Web -c Release -nologo -v quiet >"$TMP/build.log" 2>&1; then
    tail -n 40 "$TMP/build.log" >&2
    die "dotnet build MailAdmin.Web -c Release failed"
fi
NODE_DLL="$ROOT/MailAdmin.Web/bin/Release/net10.0/MailAdmin.Web.dll"
[[ -f "$NODE_DLL" ]] || die "build succeeded but $NODE_DLL is missing"
say "  built in $(( $(now_ms) - build_start )) ms"

# --- 3. the directory ---------------------------------------------------------------------------
mkdir -p "$TMP/db" "$TMP/node"
cat >"$TMP/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema

pidfile  $TMP/slapd.pid
argsfile $TMP/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb

# The default size limit is 500 entries (and, with the paged-results control, the hard limit
# caps the total across pages). The rootdn is exempt from limits anyway; these make sure
# nothing truncates either the dump or the sync whichever DN binds.
sizelimit unlimited
timelimit unlimited

database mdb
suffix    "$BASE_DN"
rootdn    "$BIND_DN"
rootpw    $BIND_PW
directory $TMP/db
maxsize   1073741824
limits dn.exact="$BIND_DN" size=unlimited time=unlimited
index objectClass,uid,mail eq

access to attrs=userPassword
    by self write
    by anonymous auth
    by * none
access to *
    by * read
EOF

# (not "GROUPS": bash reserves that name)
GROUP_COUNT=$(( (USERS + GROUP_SIZE - 1) / GROUP_SIZE ))
if (( GROUP_COUNT > MAX_GROUPS )); then GROUP_COUNT=$MAX_GROUPS; fi

say "generating $USERS users and $GROUP_COUNT groups ..."
gen_start=$(now_ms)
awk -v n="$USERS" -v groups="$GROUP_COUNT" -v gsize="$GROUP_SIZE" -v base="$BASE_DN" -v domain="$DOMAIN" '
BEGIN {
    split("Anna Ben Clara David Eva Felix Greta Hugo Ida Jonas Karla Leon Mia Noah Olga Paul", given, " ")
    split("Meyer Schmidt Novak Rossi Dubois Jansen Larsen Kowalski Silva Garcia Berg Horvat", family, " ")
    split("Berlin Vienna Zurich Paris Prague Warsaw Lisbon Oslo", city, " ")
    split("Engineer Accountant Manager Designer Analyst Consultant Technician Director", title, " ")
    printf "dn: %s\nobjectClass: dcObject\nobjectClass: organization\no: Company\ndc: company\n\n", base
    printf "dn: ou=People,%s\nobjectClass: organizationalUnit\nou: People\n\n", base
    printf "dn: ou=Groups,%s\nobjectClass: organizationalUnit\nou: Groups\n\n", base
    for (i = 1; i <= n; i++) {
        g = given[(i % 16) + 1]; s = family[(int(i / 16) % 12) + 1]
        printf "dn: uid=u%d,ou=People,%s\n", i, base
        printf "objectClass: inetOrgPerson\n"
        printf "uid: u%d\ncn: %s %s %d\ngivenName: %s\nsn: %s\n", i, g, s, i, g, s
        printf "mail: u%d@%s\nl: %s\ntitle: %s\n", i, domain, city[(i % 8) + 1], title[(int(i / 8) % 8) + 1]
        printf "telephoneNumber: +49 30 %07d\ndepartmentNumber: D%02d\n\n", i, i % 40
    }
    for (k = 1; k <= groups; k++) {
        printf "dn: cn=group%d,ou=Groups,%s\nobjectClass: groupOfNames\ncn: group%d\n", k, base, k
        first = (k - 1) * gsize + 1; last = k * gsize; if (last > n) last = n
        for (i = first; i <= last; i++) printf "member: uid=u%d,ou=People,%s\n", i, base
        printf "\n"
    }
}' >"$TMP/data.ldif"
say "  generated in $(( $(now_ms) - gen_start )) ms"

say "loading with slapadd ..."
load_start=$(now_ms)
if ! "$SLAPADD" -q -f "$TMP/slapd.conf" -l "$TMP/data.ldif" >"$TMP/slapadd.log" 2>&1; then
    tail -n 20 "$TMP/slapadd.log" >&2
    die "slapadd failed"
fi
say "  loaded in $(( $(now_ms) - load_start )) ms"

slapd_start
LDAP_URI="ldap://127.0.0.1:$LDAP_PORT"
say "slapd listening on $LDAP_URI (pid $SLAPD_PID)"

# --- 4. the node --------------------------------------------------------------------------------
NODE_PORT=$(free_port)
NODE_URL="http://127.0.0.1:$NODE_PORT"
dotnet "$NODE_DLL" \
    "--urls=$NODE_URL" \
    --Node:Name=bench \
    "--Node:DataDir=$TMP/node" \
    "--Admin:InitialPassword=$ADMIN_PW" \
    --Cluster:Port=0 \
    --Smtp:Port=0 \
    --Smtp:SubmissionPort=0 \
    --Directory:SyncIntervalMinutes=0 \
    >"$TMP/node.log" 2>&1 &
NODE_PID=$!

node_failed() {
    say "--- last lines of the node's log ---"
    tail -n 40 "$TMP/node.log" >&2 || true
    die "$*"
}

deadline=$(( $(now_ms) + 60000 ))
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$NODE_URL/healthz" || true)" == "200" ]]; do
    kill -0 "$NODE_PID" 2>/dev/null || node_failed "the node exited before /healthz answered 200"
    (( $(now_ms) < deadline )) || node_failed "the node did not answer /healthz with 200 within 60 s"
    sleep 0.2
done
say "node serving at $NODE_URL (pid $NODE_PID)"

# --- 5. configure the domain's directory -------------------------------------------------------
JAR="$TMP/cookies"
# api METHOD PATH [JSON] -> sets STATUS and BODY
api() {
    local method="$1" path="$2" data="${3:-}" out
    local args=(-s -b "$JAR" -c "$JAR" -X "$method" --max-time 900 -o "$TMP/body" -w '%{http_code}')
    [[ -n "$data" ]] && args+=(-H 'Content-Type: application/json' --data "$data")
    out=$(curl "${args[@]}" "$NODE_URL$path") || out="000"
    STATUS="$out"
    BODY="$(cat "$TMP/body" 2>/dev/null || true)"
}
expect() {
    local want="$1" what="$2"
    if [[ "$STATUS" != "$want" ]]; then
        say "$what answered HTTP $STATUS (expected $want):"
        say "$BODY"
        node_failed "$what failed"
    fi
}

api POST /api/v1/session "{\"username\":\"admin\",\"password\":\"$ADMIN_PW\"}"
expect 204 "POST /api/v1/session"
api POST /api/v1/domains "{\"name\":\"$DOMAIN\"}"
expect 201 "POST /api/v1/domains"
api PUT "/api/v1/domains/$DOMAIN/directory" \
    "{\"host\":\"127.0.0.1\",\"port\":$LDAP_PORT,\"security\":\"none\",\"bindDn\":\"$BIND_DN\",\"bindPassword\":\"$BIND_PW\",\"baseDn\":\"$BASE_DN\",\"profile\":\"openldap\"}"
expect 204 "PUT /api/v1/domains/$DOMAIN/directory"

# json_number KEY -> the integer value of a top-level field of $BODY
json_number() {
    local key="$1"
    if ((HAVE_PYTHON)); then
        printf '%s' "$BODY" | python3 -c 'import json, sys; v = json.load(sys.stdin).get(sys.argv[1]); print("" if v is None else int(v))' "$key"
    else
        printf '%s' "$BODY" | grep -o "\"$key\"[[:space:]]*:[[:space:]]*-\?[0-9]*" | head -n 1 | sed 's/.*:[[:space:]]*//'
    fi
}

# --- 6. the raw dump, then the syncs -----------------------------------------------------------
# dump_once FILE_FOR_USERS FILE_FOR_GROUPS: the same two paged searches the sync makes.
dump_once() {
    "$LDAPSEARCH" -x -LLL -H "$LDAP_URI" -D "$BIND_DN" -w "$BIND_PW" -b "$BASE_DN" \
        -E pr=500/noprompt "$USER_FILTER" "${USER_ATTRS[@]}" >"$1"
    "$LDAPSEARCH" -x -LLL -H "$LDAP_URI" -D "$BIND_DN" -w "$BIND_PW" -b "$BASE_DN" \
        -E pr=500/noprompt "$GROUP_FILTER" "${GROUP_ATTRS[@]}" >"$2"
}

# One untimed run checks that the dump is complete (no size limit cut it short).
dump_once "$TMP/users.ldif" "$TMP/groups.ldif" || die "ldapsearch failed"
dumped=$(grep -c '^dn: uid=' "$TMP/users.ldif" || true)
dumped_groups=$(grep -c '^dn: cn=' "$TMP/groups.ldif" || true)
(( dumped == USERS )) || die "ldapsearch returned $dumped users, expected $USERS"
(( dumped_groups == GROUP_COUNT )) || die "ldapsearch returned $dumped_groups groups, expected $GROUP_COUNT"
rm -f "$TMP/users.ldif" "$TMP/groups.ldif"

say "timing the ldapsearch dump ($RUNS runs) ..."
dump_times=()
for run in $(seq "$RUNS"); do
    t0=$(now_ms)
    dump_once /dev/null /dev/null || die "ldapsearch failed"
    t1=$(now_ms)
    dump_times+=($(( t1 - t0 )))
    say "  run $run: $(( t1 - t0 )) ms"
done
DUMP_MS=$(printf '%s\n' "${dump_times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")

say "timing the first full sync ..."
t0=$(now_ms)
api POST "/api/v1/domains/$DOMAIN/directory/sync"
t1=$(now_ms)
expect 200 "POST /api/v1/domains/$DOMAIN/directory/sync (first)"
SYNC1_MS=$(( t1 - t0 ))
SYNC1_BODY="$BODY"
SYNC1_SERVER_MS=$(json_number durationMs)
ADDED=$(json_number added)
say "  $SYNC1_BODY"
[[ "$ADDED" == "$USERS" ]] || die "the first sync added '${ADDED}' users, expected $USERS: $SYNC1_BODY"

say "timing a second sync (nothing changed) ..."
t0=$(now_ms)
api POST "/api/v1/domains/$DOMAIN/directory/sync"
t1=$(now_ms)
expect 200 "POST /api/v1/domains/$DOMAIN/directory/sync (second)"
SYNC2_MS=$(( t1 - t0 ))
SYNC2_SERVER_MS=$(json_number durationMs)
say "  $BODY"
changed=""
for key in added updated disabled removed groupsAdded groupsUpdated groupsRemoved; do
    value=$(json_number "$key")
    [[ -z "$value" || "$value" == "0" ]] || changed+=" $key=$value"
done
if [[ -n "$changed" ]]; then
    SYNC2_NOTE="CHANGED:$changed"
else
    SYNC2_NOTE="all counts 0"
fi

# --- 7. report ----------------------------------------------------------------------------------
RATIO=$(awk -v s="$SYNC1_MS" -v d="$DUMP_MS" 'BEGIN { if (d > 0) printf "%.2f", s / d; else print "n/a" }')
MET=$(awk -v r="$RATIO" -v g="$GOAL_RATIO" 'BEGIN { print (r != "n/a" && r + 0 <= g + 0) ? "met" : "NOT met" }')

printf '\n'
printf 'users: %s\n' "$USERS"
printf 'ldapsearch dump (median of %d): %s ms   (runs: %s)\n' "$RUNS" "$DUMP_MS" "${dump_times[*]}"
printf 'first full sync (wall):        %s ms   (server durationMs %s)\n' "$SYNC1_MS" "$SYNC1_SERVER_MS"
printf 'ratio sync / dump:             %s   (goal <= %s: %s)\n' "$RATIO" "$GOAL_RATIO" "$MET"
printf 'second sync (no changes):      %s ms   (server durationMs %s; %s)\n' "$SYNC2_MS" "$SYNC2_SERVER_MS" "$SYNC2_NOTE"

[[ -z "$changed" ]] || die "the second sync changed something although the directory did not change"
exit 0
