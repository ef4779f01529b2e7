#!/usr/bin/env bash
# SMTP throughput of one node: 5 KB messages over 20 concurrent sessions into the incoming
# port, local delivery into a Maildir with fsync on. Prints sustained messages per second and
# the percentiles of the time from the final "." to the 250 reply, then how long delivery of
# everything took. See bench/README.md.
#
#   bench/smtp-throughput.sh [messages] [sessions] [bytes]     # defaults 20000 20 5120
set -euo pipefail

MESSAGES="${1:-20000}"
SESSIONS="${2:-20}"
BYTES="${3:-5120}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADMIN_PW="Bench-Admin-Password-1"
cd "$ROOT"

say() { printf '%s\n' "$*" >&2; }
die() { say "smtp-throughput: $*"; exit 1; }
command -v dotnet >/dev/null || die "dotnet is missing: install the .NET 10 SDK"
command -v curl >/dev/null || die "curl is missing: apt-get install -y curl"
command -v python3 >/dev/null || die "python3 is missing: apt-get install -y python3"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/mailadmin-smtp-bench.XXXXXX")"
NODE_PID=""
cleanup() {
    if [[ -n "$NODE_PID" ]] && kill -0 "$NODE_PID" 2>/dev/null; then
        kill "$NODE_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$NODE_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

say "building the node and the load generator (Release) ..."
dotnet build MailAdmin.Web -c Release -nologo -v quiet >"$TMP/build.log" 2>&1 || { tail -n 40 "$TMP/build.log" >&2; die "building MailAdmin.Web failed"; }
dotnet build bench/SmtpLoad -c Release -nologo -v quiet >>"$TMP/build.log" 2>&1 || { tail -n 40 "$TMP/build.log" >&2; die "building bench/SmtpLoad failed"; }

HTTP_PORT=$(free_port); SMTP_PORT=$(free_port); SUBMISSION_PORT=$(free_port)
NODE_URL="http://127.0.0.1:$HTTP_PORT"
dotnet MailAdmin.Web/bin/Release/net10.0/MailAdmin.Web.dll \
    "--urls=$NODE_URL" --Node:Name=bench "--Node:DataDir=$TMP/node" "--Admin:InitialPassword=$ADMIN_PW" \
    --Cluster:Port=0 "--Smtp:Port=$SMTP_PORT" "--Smtp:SubmissionPort=$SUBMISSION_PORT" --Smtp:ListenAddress=127.0.0.1 \
    --Directory:SyncIntervalMinutes=0 ${NODE_ARGS:-} >"$TMP/node.log" 2>&1 &
NODE_PID=$!
deadline=$(( $(now_ms) + 60000 ))
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$NODE_URL/healthz" || true)" == "200" ]]; do
    kill -0 "$NODE_PID" 2>/dev/null || { tail -n 40 "$TMP/node.log" >&2; die "the node exited while starting"; }
    (( $(now_ms) < deadline )) || die "the node did not start within 60 s"
    sleep 0.2
done

JAR="$TMP/cookies"
api() { curl -s -b "$JAR" -c "$JAR" -o /dev/null -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' --data "$3" "$NODE_URL$2"; }
[[ "$(api POST /api/v1/session "{\"username\":\"admin\",\"password\":\"$ADMIN_PW\"}")" == 204 ]] || die "sign-in failed"
[[ "$(api POST /api/v1/domains '{"name":"company.com"}')" == 201 ]] || die "adding company.com failed"
[[ "$(api POST /api/v1/users '{"address":"ann@company.com","name":"Ann","password":"User-Password-1"}')" == 201 ]] || die "adding ann@company.com failed"

say "node pid $NODE_PID, SMTP on 127.0.0.1:$SMTP_PORT; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "sending $MESSAGES messages of $BYTES bytes over $SESSIONS sessions ..."
start=$(now_ms)
dotnet bench/SmtpLoad/bin/Release/net10.0/SmtpLoad.dll 127.0.0.1 "$SMTP_PORT" "$SESSIONS" "$MESSAGES" "$BYTES" ann@company.com

INBOX="$TMP/node/mail/company.com/ann/new"
deadline=$(( $(now_ms) + 600000 ))
while (( $(find "$INBOX" -type f 2>/dev/null | wc -l) < MESSAGES )); do
    (( $(now_ms) < deadline )) || die "only $(find "$INBOX" -type f | wc -l) of $MESSAGES messages were delivered within 10 minutes"
    sleep 0.1
done
total_ms=$(( $(now_ms) - start ))
printf 'delivered into Maildir:  all %d, %d ms after the first message (%d msg/s end to end)\n' "$MESSAGES" "$total_ms" $(( MESSAGES * 1000 / (total_ms > 0 ? total_ms : 1) ))
printf 'goal (issue 4):          >= 1000 msg/s accepted, p99 dot-to-250 < 100 ms; Postfix, the anchor, is fsync-bound at a few hundred to a few thousand msg/s\n'
