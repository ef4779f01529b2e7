#!/usr/bin/env bash
# Runs what CI runs: the formatting check, then every test (unit, bUnit, slapd, Chromium, vdirsyncer).
# Extra arguments go to `dotnet test`, e.g. ./test.sh --filter FullyQualifiedName~SlapdFixtureTests
set -euo pipefail
cd "$(dirname "$0")"

install_line="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slapd ldap-utils chromium vdirsyncer"

# slapd and slapadd live in /usr/sbin, which a non-root PATH often lacks.
has_tool() {
  command -v "$1" >/dev/null 2>&1 || [[ -x "/usr/sbin/$1" ]]
}

missing=()
for tool in slapd slapadd ldapadd ldapmodify vdirsyncer; do
  has_tool "$tool" || missing+=("$tool")
done
[[ -x /usr/bin/chromium ]] || missing+=(/usr/bin/chromium)

if (( ${#missing[@]} > 0 )); then
  if [[ $EUID -ne 0 ]]; then
    echo "Missing test tools: ${missing[*]}. Install them as root:" >&2
    echo "  $install_line" >&2
    exit 1
  fi
  echo "Installing test tools (${missing[*]})..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=300 slapd ldap-utils chromium vdirsyncer >/dev/null
  # Tests run private slapd instances; a system one left running by the package would only be in the way.
  service slapd stop >/dev/null 2>&1 || true
fi

if ! dotnet format MailAdmin.sln --verify-no-changes; then
  echo "Code is not formatted: run \`dotnet format MailAdmin.sln\` and commit the result." >&2
  exit 1
fi

dotnet test MailAdmin.sln -c Release --logger trx --results-directory TestResults "$@"
