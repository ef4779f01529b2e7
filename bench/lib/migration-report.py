#!/usr/bin/env python3
"""The report of bench/migration.sh: the summary table, the states, the checks (stdout).

    migration-report.py RESULT_JSON HQ_LOG KEY=VALUE...

RESULT_JSON is what migrate-and-follow.py wrote; HQ_LOG the target's console log with UTC
timestamps (one line per event). The KEY=VALUE pairs: tar_ms, tar_cpu_ms, hq_cpu_ms, ny_cpu_ms,
seed_bytes, seed_files, message_kb, goal_ratio, goal_lockout_ms, address, hq_check, ny_check.
"""
import json
import re
import sys
from datetime import datetime

MB = 1048576


def epoch_ms(text: str) -> int:
    """ISO 8601 as .NET writes it (up to 7 fractional digits; an offset or Z) -> ms since 1970."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$", text)
    if not m:
        raise ValueError(f"not an ISO 8601 time: {text}")
    fraction = (m.group(2) or "0")[:6].ljust(6, "0")
    zone = m.group(3) or "Z"
    value = datetime.fromisoformat(f"{m.group(1)}.{fraction}{'+00:00' if zone == 'Z' else zone}")
    return int(value.timestamp() * 1000)


def logged_states(log_path: str, job_id: str, post_ms: int) -> list:
    """[(state, ms after the POST)] from hq's log: event 7103 (a state) and 7105 ("switched")."""
    pattern = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z) \w+: .*Migration " + re.escape(job_id)
                         + r" of \S+ (?:from \S+: (\w+)\.|(switched): the user was locked out)")
    found = []
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = pattern.match(line)
                if m:
                    found.append((m.group(2) or "switched", epoch_ms(m.group(1)) - post_ms))
    except OSError:
        pass
    return found


def main() -> None:
    result = json.load(open(sys.argv[1], encoding="utf-8"))
    log_path = sys.argv[2]
    v = dict(arg.split("=", 1) for arg in sys.argv[3:])
    tar_ms, tar_cpu, hq_cpu, ny_cpu = (int(v[k]) for k in ("tar_ms", "tar_cpu_ms", "hq_cpu_ms", "ny_cpu_ms"))
    seed_bytes, seed_files = int(v["seed_bytes"]), int(v["seed_files"])
    goal_ratio, goal_lockout = float(v["goal_ratio"]), int(v["goal_lockout_ms"])

    job = result["job"]
    post_ms = int(result["postEpochMs"])
    bytes_total = int(job.get("bytesTotal") or 0)
    started = epoch_ms(job["startedAt"]) - post_ms
    job_ms = epoch_ms(job["finishedAt"]) - epoch_ms(job["startedAt"])
    wall_ms = int(result["endSeenMs"])
    lockout = job.get("lockoutMs")
    logged = logged_states(log_path, job["id"], post_ms)
    switched = next((at for state, at in logged if state == "switched"), None)
    switch_ms = switched - started if switched is not None else None

    def rate(ms, n=bytes_total):
        return n / MB / (ms / 1000) if ms and ms > 0 else None

    def fmt(x, pattern="{:.1f}"):
        return "n/a" if x is None else pattern.format(x)

    tar_rate, job_rate, switch_rate, wall_rate = rate(tar_ms, seed_bytes), rate(job_ms), rate(switch_ms), rate(wall_ms)

    def ratio(r):
        return r / tar_rate if r is not None and tar_rate else None

    def met(ok):
        return "met" if ok else "NOT met"

    ratio_job = ratio(job_rate)
    mb = seed_bytes / MB
    print(f"== mailbox migration ny -> hq of {v['address']}: {mb:.0f} MB in {seed_files} messages of about {v['message_kb']} KB ==")
    def row(*cells):
        return "{:<24} {:<16} {:<17} {:<17} {:<17} {}".format(*cells).rstrip()
    print(row("", "tar c | tar x", "migration (job)", "until switched", "migration (wall)", "goal"))
    print(row("time", f"{tar_ms / 1000:.1f} s", f"{job_ms / 1000:.1f} s", fmt(switch_ms and switch_ms / 1000, "{:.1f} s"),
                     f"{wall_ms / 1000:.1f} s", ""))
    print(row("MB/s", fmt(tar_rate), fmt(job_rate), fmt(switch_rate), fmt(wall_rate), ""))
    print(row("ratio migration / tar", "1", fmt(ratio_job, "{:.2f}"), fmt(ratio(switch_rate), "{:.2f}"),
                     fmt(ratio(wall_rate), "{:.2f}"), f">= {goal_ratio} (job time): {met(ratio_job is not None and ratio_job >= goal_ratio)}"))
    print(row("user locked out", "", "n/a" if lockout is None else f"{lockout} ms", "", "",
                     f"< {goal_lockout} ms: {met(lockout is not None and lockout < goal_lockout)}"))
    print(row("CPU s (user + system)", f"{tar_cpu / 1000:.1f}", f"hq {hq_cpu / 1000:.1f} + ny {ny_cpu / 1000:.1f}", "", "",
                     "(tar: both processes; nodes: from the POST to the end)"))
    print(row("CPU ms per MB", f"{tar_cpu / mb:.0f}", f"{(hq_cpu + ny_cpu) / mb:.0f}", "", "", ""))
    print(f"job: {bytes_total} bytes (bytesTotal), {job.get('messages')} messages; startedAt {job['startedAt']}, "
          f"finishedAt {job['finishedAt']}; hq answered the POST in {result['postMs']} ms")
    print("  job: startedAt to finishedAt (checking to completed, including cleaning: the removal of ny's copy);")
    print("  until switched: startedAt to the end of the lock-out (hq's log); wall: the POST until a poll saw completed")

    print()
    timeline = logged or [tuple(s) for s in result["states"]]
    print("states, seconds after the POST, as hq logged them (\"switched\": the lock-out ends; releasing is not logged):" if logged
          else "states, seconds after the POST, as polling saw them (hq's log had no timestamps):")
    for i, (state, at) in enumerate(timeline):
        lasted = f"lasted {(timeline[i + 1][1] - at) / 1000:7.2f} s" if i + 1 < len(timeline) else ""
        print(f"  {state:<10} at {at / 1000:7.2f} s   {lasted}".rstrip())
    print("polling every 200 ms first saw: " + ", ".join(f"{s} {at / 1000:.1f} s" for s, at in result["states"]))

    print()
    print(f"hq's Maildir for {v['address']}: {v['hq_check']}")
    print(f"ny's Maildir for {v['address']}: {v['ny_check']}")


if __name__ == "__main__":
    main()
