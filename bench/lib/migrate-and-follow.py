#!/usr/bin/env python3
"""Starts one mailbox migration on the target node and follows it until it ends.

    migrate-and-follow.py URL COOKIE_JAR ADDRESS TIMEOUT_S RESULT_JSON [INTERVAL_S]

POST URL/api/v1/migrations {"users": [ADDRESS]} with the session cookie from curl's COOKIE_JAR
(one process does both, so nothing slow, such as starting an interpreter on a busy machine,
sits between the POST and the first poll), then GET URL/api/v1/migrations every INTERVAL_S
(default 0.2). Prints the job id, each new state (seconds after the POST) and a progress line
every 5 s to stderr. Writes RESULT_JSON once the job ends: the last job object as the API gave
it, "postEpochMs", "postMs" (how long the POST took), "states": [[state, ms after the POST when
a poll first saw it], ...] and "endSeenMs".

Exit status: 0 completed; 3 failed or canceled (the job's error on stderr; RESULT_JSON written);
4 timed out; 5 the API kept failing; 6 the POST was refused (status and body on stderr).
"""
import json
import sys
import time
import urllib.error
import urllib.request


def cookie_header(jar: str) -> str:
    """name=value pairs from a curl (Netscape format) cookie jar, HttpOnly ones included."""
    pairs = []
    with open(jar, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#HttpOnly_"):
                line = line[len("#HttpOnly_"):]
            elif not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) >= 7:
                pairs.append(f"{fields[5]}={fields[6]}")
    return "; ".join(pairs)


def mib(n) -> str:
    return f"{(n or 0) / 1048576:.1f}"


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main() -> int:
    if len(sys.argv) not in (6, 7):
        say(__doc__)
        return 2
    url, jar, address, timeout_s, result_path = sys.argv[1:6]
    interval = float(sys.argv[6]) if len(sys.argv) == 7 else 0.2
    timeout_s = float(timeout_s)
    base = url.rstrip("/") + "/api/v1/migrations"
    headers = {"Cookie": cookie_header(jar), "Accept": "application/json"}

    post = urllib.request.Request(base, method="POST", data=json.dumps({"users": [address]}).encode(),
                                  headers={**headers, "Content-Type": "application/json"})
    post_epoch = now_ms()
    try:
        with urllib.request.urlopen(post, timeout=120) as answer:
            status, body = answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as e:
        status, body = 0, str(e)
    post_ms = now_ms() - post_epoch
    if status != 202:
        say(f"POST /api/v1/migrations answered HTTP {status} (expected 202):\n{body}")
        return 6
    job_id = json.loads(body)[0]["id"]
    say(f"  job {job_id}; hq answered 202 after {post_ms} ms")

    poll = urllib.request.Request(base, headers=headers)
    states, last_state, last_progress, failures, job = [], None, 0.0, 0, None
    deadline = time.monotonic() + timeout_s

    def write(seen_ms: int) -> None:
        with open(result_path, "w", encoding="utf-8") as f:
            json.dump({"job": job, "postEpochMs": post_epoch, "postMs": post_ms, "states": states, "endSeenMs": seen_ms}, f)

    while True:
        tick = time.monotonic()
        try:
            with urllib.request.urlopen(poll, timeout=15) as answer:
                jobs = json.load(answer)
            failures = 0
        except (urllib.error.URLError, OSError, ValueError) as e:
            failures += 1
            say(f"  GET /api/v1/migrations failed ({e}); {failures} in a row")
            if failures >= 25:
                return 5
            jobs = None
        seen_ms = now_ms() - post_epoch
        if time.monotonic() - tick > 2:
            say(f"  (GET /api/v1/migrations took {time.monotonic() - tick:.1f} s)")
        if jobs is not None:
            job = next((j for j in jobs if j.get("id") == job_id), None)
            if job is None:
                say(f"  job {job_id} is not listed")
            else:
                state = job.get("state")
                copied = f"{mib(job.get('bytesCopied'))} of {mib(job.get('bytesTotal'))} MB copied"
                if state != last_state:
                    states.append([state, seen_ms])
                    say(f"  {seen_ms / 1000:7.1f} s  {state:<10} {copied}")
                    last_state, last_progress = state, tick
                elif tick - last_progress >= 5:
                    note = f"; {job['error']}" if job.get("error") else ""
                    say(f"  {seen_ms / 1000:7.1f} s  {state:<10} {copied}{note}")
                    last_progress = tick
                if state in ("completed", "failed", "canceled"):
                    write(seen_ms)
                    if state != "completed":
                        say(f"  the migration {state}: {job.get('error') or job.get('result')}")
                        return 3
                    return 0
        if time.monotonic() > deadline:
            say(f"  gave up after {timeout_s:.0f} s; last seen: {json.dumps(job)}")
            return 4
        time.sleep(max(0.0, interval - (time.monotonic() - tick)))


if __name__ == "__main__":
    sys.exit(main())
