# shellcheck shell=bash
# The parts the benchmarks share: checking the tools, a temporary folder removed (with every
# process started here) on exit, the Release build, a private slapd with a small directory
# (alice in Prague, bob and dan in New York), nodes started as their own processes, the admin
# API over curl, and a distributed domain made of two nodes, hq (master) and ny (slave).
#
# Sourced, never run. Sourcing only defines functions and the constants below; nothing starts
# until the script calls a function. The calling script runs with `set -euo pipefail` and sets
# BENCH_NAME (the prefix of `die`'s message) before sourcing:
#
#   BENCH_NAME=cluster-throughput
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"
#   bench_require_tools                  # slapd ldap-utils curl python3 dotnet; sets SLAPD, SLAPADD, LDAPSEARCH
#   bench_enter_root                     # cd to the repository
#   bench_make_temp mailadmin-x-bench    # sets TMP; the EXIT trap stops processes and removes it
#   bench_build MailAdmin.Web            # dotnet build -c Release of each project; then NODE_DLL
#   slapd_write_cluster_directory        # slapd.conf + data.ldif for company.com, loaded with slapadd
#   slapd_start                          # sets SLAPD_PID, LDAP_PORT
#   start_node hq [options]; start_node ny [options]   # sets HQ_PID, HQ_URL, HQ_SMTP, HQ_CLUSTER, ...
#   wait_serving hq "$HQ_PID" "$HQ_URL"; wait_serving ny "$NY_PID" "$NY_URL"
#   cluster_configure_domain hq '(!(l=New York))'; cluster_configure_domain ny '(l=New York)'
#   cluster_join ny                      # ny joins hq's domain as a slave
#   wait_home hq bob.smith@company.com ny 60    # until hq lists that user with home server ny
#
# Extra options for every node can come from the environment: NODE_ARGS="--Logging:...".
# BENCH_KEEP_TMP=1 keeps the temporary folder (logs, data) instead of removing it on exit.
# Processes are stopped on exit in the order ny, hq, slapd (each gets 5 s after SIGTERM).

# --- the directory and the domain -----------------------------------------------------------
DOMAIN="company.com"
BASE_DN="dc=company,dc=com"
BIND_DN="cn=admin,dc=company,dc=com"
BIND_PW="secret"
ADMIN_PW="Bench-Admin-Password-1"
# The master places everyone outside New York, the slave everyone in it.
# shellcheck disable=SC2034 # used by the scripts that source this file
HQ_FILTER='(!(l=New York))'
# shellcheck disable=SC2034
NY_FILTER='(l=New York)'

# The repository (bench/lib/../..).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

SLAPD_PID=""
HQ_PID=""
NY_PID=""

# --- messages -------------------------------------------------------------------------------
say() { printf '%s\n' "$*" >&2; }
die() { say "${BENCH_NAME:-bench}: $*"; exit 1; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# cpu_ms PID -> user + system CPU time of the process (all its threads) so far, in ms
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# --- tools ----------------------------------------------------------------------------------
# find_tool NAME -> its path (/usr/sbin first, where Debian puts slapd), or nothing
find_tool() {
    local name="$1"
    if [[ -x "/usr/sbin/$name" ]]; then
        echo "/usr/sbin/$name"
    elif command -v "$name" >/dev/null 2>&1; then
        command -v "$name"
    fi
}

# bench_require_tools [TOOL...]: slapd, slapadd, ldapsearch, curl, python3, dotnet and any TOOL
# given (each an apt package of the same name); says how to install what is missing and exits 1.
# Sets SLAPD, SLAPADD, LDAPSEARCH.
# shellcheck disable=SC2120 # the extra tools are optional
bench_require_tools() {
    SLAPD="$(find_tool slapd)"
    SLAPADD="$(find_tool slapadd)"
    LDAPSEARCH="$(find_tool ldapsearch)"
    local missing=() packages="slapd ldap-utils" tool
    [[ -n "$SLAPD" ]] || missing+=(slapd)
    [[ -n "$SLAPADD" ]] || missing+=(slapadd)
    [[ -n "$LDAPSEARCH" ]] || missing+=(ldapsearch)
    for tool in curl python3 "$@"; do
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
}

bench_enter_root() { cd "$ROOT" || exit 1; }

# --- temp folder, and cleanup of everything the script starts -------------------------------
# bench_cleanup: stops ny, hq and slapd (SIGTERM, then SIGKILL after 5 s) and removes TMP,
# unless BENCH_KEEP_TMP=1 (then it says where TMP is, for its logs).
bench_cleanup() {
    local pid
    for pid in "$NY_PID" "$HQ_PID" "$SLAPD_PID"; do
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    if [[ -z "${TMP:-}" ]]; then
        return
    elif [[ "${BENCH_KEEP_TMP:-0}" == 1 ]]; then
        say "kept $TMP (BENCH_KEEP_TMP=1): the nodes' logs and data; remove it when done"
    else
        rm -rf "$TMP"
    fi
}

# bench_make_temp PREFIX: makes TMP (under TMPDIR, else /tmp) and installs the traps.
bench_make_temp() {
    TMP="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# --- build ----------------------------------------------------------------------------------
# bench_build PROJECT...: dotnet build -c Release of each, log in $TMP/build.log; sets NODE_DLL.
bench_build() {
    local project
    : >"$TMP/build.log"
    for project in "$@"; do
        dotnet build "$project" -c Release -nologo -v quiet >>"$TMP/build.log" 2>&1 \
            || { tail -n 40 "$TMP/build.log" >&2; die "dotnet build $project -c Release failed"; }
    done
    NODE_DLL="$ROOT/MailAdmin.Web/bin/Release/net10.0/MailAdmin.Web.dll"
    [[ -f "$NODE_DLL" ]] || die "build succeeded but $NODE_DLL is missing"
}

# --- slapd ----------------------------------------------------------------------------------
# slapd_write_cluster_directory: $TMP/slapd.conf (mdb in $TMP/db) and $TMP/data.ldif with three
# users of company.com: alice (Prague), bob.smith and dan.brown (New York); loads it with slapadd.
slapd_write_cluster_directory() {
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
    {
        printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\no: Company\ndc: company\n\n' "$BASE_DN"
        printf 'dn: ou=People,%s\nobjectClass: organizationalUnit\nou: People\n\n' "$BASE_DN"
        ldif_person alice Alice Novak Prague
        ldif_person bob Bob Smith "New York"
        ldif_person dan Dan Brown "New York"
    } >"$TMP/data.ldif"
    "$SLAPADD" -q -f "$TMP/slapd.conf" -l "$TMP/data.ldif" >"$TMP/slapadd.log" 2>&1 || { tail -n 20 "$TMP/slapadd.log" >&2; die "slapadd failed"; }
}

# ldif_person UID GIVEN FAMILY CITY: one inetOrgPerson, mail given.family@DOMAIN
ldif_person() {
    printf 'dn: uid=%s,ou=People,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s %s\ngivenName: %s\nsn: %s\nmail: %s.%s@%s\nl: %s\n\n' \
        "$1" "$BASE_DN" "$1" "$2" "$3" "$2" "$3" "${2,,}" "${3,,}" "$DOMAIN" "$4"
}

# slapd_start: runs slapd with $TMP/slapd.conf on a free loopback port (3 tries, each waiting
# up to 15 s for an anonymous root DSE search to answer), log in $TMP/slapd.log.
# Sets SLAPD_PID and LDAP_PORT; exits through `die` if it never answers.
slapd_start() {
    local attempt port
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
}

# --- nodes ----------------------------------------------------------------------------------
# start_node NAME [OPTION...]: starts MailAdmin.Web.dll as its own process, data in $TMP/NAME,
# log in $TMP/NAME.log, every port free on 127.0.0.1, periodic directory sync off, then the
# OPTIONs and $NODE_ARGS. Sets <NAME>_PID, <NAME>_URL, <NAME>_SMTP, <NAME>_CLUSTER (NAME upper case).
start_node() {
    local name="$1" http smtp submission cluster pid
    shift
    http=$(free_port); smtp=$(free_port); submission=$(free_port); cluster=$(free_port)
    # shellcheck disable=SC2086 # NODE_ARGS is a list of options
    dotnet "$NODE_DLL" \
        "--urls=http://127.0.0.1:$http" "--Node:Name=$name" --Node:PublicHost=127.0.0.1 "--Node:DataDir=$TMP/$name" \
        "--Admin:InitialPassword=$ADMIN_PW" "--Cluster:Port=$cluster" --Cluster:ListenAddress=127.0.0.1 \
        "--Smtp:Port=$smtp" "--Smtp:SubmissionPort=$submission" --Smtp:ListenAddress=127.0.0.1 \
        --Directory:SyncIntervalMinutes=0 "$@" ${NODE_ARGS:-} >"$TMP/$name.log" 2>&1 &
    pid=$!
    printf -v "${name^^}_PID" '%s' "$pid"
    printf -v "${name^^}_URL" '%s' "http://127.0.0.1:$http"
    printf -v "${name^^}_SMTP" '%s' "$smtp"
    printf -v "${name^^}_CLUSTER" '%s' "$cluster"
}

# node_failed NAME MESSAGE: the last 40 lines of NAME's log, then die MESSAGE
node_failed() {
    say "--- last lines of $1's log ---"
    tail -n 40 "$TMP/$1.log" >&2 || true
    die "$2"
}

# wait_serving NAME PID URL: until URL/healthz answers 200 (90 s at most, or the process exits)
wait_serving() {
    local deadline=$(( $(now_ms) + 90000 ))
    until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$3/healthz" || true)" == "200" ]]; do
        kill -0 "$2" 2>/dev/null || node_failed "$1" "node $1 exited before /healthz answered 200"
        (( $(now_ms) < deadline )) || node_failed "$1" "node $1 did not answer /healthz within 90 s"
        sleep 0.2
    done
}

# --- the admin API --------------------------------------------------------------------------
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

# expect NAME WANT WHAT: unless the last call answered WANT, prints the body and NAME's log and dies
expect() {
    if [[ "$STATUS" != "$2" ]]; then
        say "$3 on $1 answered HTTP $STATUS (expected $2):"
        say "$BODY"
        node_failed "$1" "$3 failed"
    fi
}

# json EXPRESSION: a Python expression over d, the parsed $BODY
json() { printf '%s' "$BODY" | python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

# --- the distributed domain -----------------------------------------------------------------
# cluster_sign_in NAME: signs in as admin (cookie in $TMP/NAME.cookies)
cluster_sign_in() {
    api "$1" POST /api/v1/session "{\"username\":\"admin\",\"password\":\"$ADMIN_PW\"}"
    expect "$1" 204 "POST /api/v1/session"
}

# cluster_set_directory NAME FILTER: adds company.com on NAME and maps it to the private slapd,
# placing the users that match FILTER on NAME
cluster_set_directory() {
    api "$1" POST /api/v1/domains "{\"name\":\"$DOMAIN\"}"
    expect "$1" 201 "POST /api/v1/domains"
    api "$1" PUT "/api/v1/domains/$DOMAIN/directory" \
        "{\"host\":\"127.0.0.1\",\"port\":$LDAP_PORT,\"security\":\"none\",\"bindDn\":\"$BIND_DN\",\"bindPassword\":\"$BIND_PW\",\"baseDn\":\"$BASE_DN\",\"profile\":\"openldap\",\"placementFilter\":\"$2\"}"
    expect "$1" 204 "PUT /api/v1/domains/$DOMAIN/directory"
}

# cluster_sync NAME: a directory sync of company.com on NAME
cluster_sync() {
    api "$1" POST "/api/v1/domains/$DOMAIN/directory/sync"
    expect "$1" 200 "POST /api/v1/domains/$DOMAIN/directory/sync"
}

# cluster_configure_domain NAME FILTER: sign in, set the directory, sync; the office runs
# company.com on its own, with its placement filter, before the nodes are joined
cluster_configure_domain() {
    cluster_sign_in "$1"
    cluster_set_directory "$1" "$2"
    cluster_sync "$1"
}

# cluster_join SLAVE: SLAVE asks hq for its certificate fingerprint (distributable), then
# connects to hq for company.com and becomes its slave
cluster_join() {
    local master_host="127.0.0.1:$HQ_CLUSTER" fingerprint
    api "$1" POST /api/v1/cluster/distributable "{\"masterHost\":\"$master_host\",\"username\":\"admin\",\"password\":\"$ADMIN_PW\"}"
    expect "$1" 200 "POST /api/v1/cluster/distributable"
    fingerprint=$(json 'd["fingerprint"]')
    api "$1" POST /api/v1/cluster/connect "{\"masterHost\":\"$master_host\",\"username\":\"admin\",\"password\":\"$ADMIN_PW\",\"domain\":\"$DOMAIN\",\"fingerprint\":\"$fingerprint\"}"
    expect "$1" 200 "POST /api/v1/cluster/connect"
}

# home_on NODE ADDRESS -> the home server NODE lists for ADDRESS (nothing if the call fails)
home_on() {
    api "$1" GET "/api/v1/users?domain=$DOMAIN&pageSize=500"
    [[ "$STATUS" == 200 ]] || return 0
    json "next((u['homeServer'] for u in d['items'] if u['address'] == '$2'), '')"
}

# wait_home NODE ADDRESS HOME SECONDS: until NODE lists ADDRESS with home server HOME
wait_home() {
    local deadline=$(( $(now_ms) + $4 * 1000 ))
    until [[ "$(home_on "$1" "$2")" == "$3" ]]; do
        (( $(now_ms) < deadline )) || node_failed "$1" "$1 did not list $2 with home server $3 within $4 s"
        sleep 0.5
    done
}
