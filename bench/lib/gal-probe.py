"""Times GET /api/v1/gal on one keep-alive connection and prints percentiles per kind of search."""
import http.client
import json
import random
import statistics
import sys
import time
import urllib.parse

url, user, password, domain, users, queries, sync_ms = sys.argv[1:8]
users, queries, sync_ms = int(users), int(queries), int(sync_ms)
parsed = urllib.parse.urlparse(url)
connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)

connection.request("POST", "/api/v1/session", json.dumps({"username": user, "password": password}), {"Content-Type": "application/json"})
response = connection.getresponse()
response.read()
if response.status != 204:
    sys.exit(f"gal-search: sign-in answered {response.status}")
cookie = "; ".join(h.split(";", 1)[0] for k, h in response.getheaders() if k.lower() == "set-cookie")


def get(query):
    start = time.perf_counter()
    connection.request("GET", f"/api/v1/gal?domain={domain}&{query}", headers={"Cookie": cookie})
    answer = connection.getresponse()
    body = answer.read()
    elapsed = (time.perf_counter() - start) * 1000
    if answer.status != 200:
        sys.exit(f"gal-search: GET /api/v1/gal?{query} answered {answer.status}: {body[:300]!r}")
    return elapsed, json.loads(body)


rng = random.Random(7)
names = ["novak", "smith", "garcia", "anna", "viktor", "campbell", "turner", "zoe"]
kinds = {
    "first page, no search": lambda: "page=1&pageSize=50",
    "deep page, no search": lambda: f"page={rng.randrange(1, max(2, users // 50))}&pageSize=50",
    "common name (many hits)": lambda: "search=" + rng.choice(names),
    "one person (1 hit)": lambda: f"search={rng.randrange(users - 3):06d}",
    "no hit": lambda: "search=" + urllib.parse.quote(rng.choice(["qqxz", "nobody-here", "zzz@nowhere"])),
    "3 letters": lambda: "search=" + "".join(rng.choice("aeinorst") for _ in range(3)),
}

total, _ = get("page=1&pageSize=1")
for _ in range(20):  # warm-up: JIT, SQLite's page cache
    get(rng.choice(list(kinds.values()))())
first = get("page=1&pageSize=1")[1]
entries = first["total"]
if entries < users:
    sys.exit(f"gal-search: the list has {entries} entries, fewer than the {users} users synced")

times = {k: [] for k in kinds}
per_kind = max(1, queries // len(kinds))
for kind, make in kinds.items():
    for _ in range(per_kind):
        times[kind].append(get(make())[0])


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# The first search after a change to the list pays for rebuilding the in-memory copy.
rebuilds = []
someone = get("page=1&pageSize=1")[1]["items"][0]["address"]
for hidden in (True, False, True, False, True, False):
    connection.request("PUT", f"/api/v1/users/{someone}", json.dumps({"hideFromAddressList": hidden}),
                       {"Content-Type": "application/json", "Cookie": cookie})
    answer = connection.getresponse()
    answer.read()
    if answer.status != 200:
        sys.exit(f"gal-search: hiding {someone} answered {answer.status}")
    rebuilds.append(get("search=" + rng.choice(names))[0])

every = [t for v in times.values() for t in v]
print(f"entries in the list:           {entries}   (first directory sync of {users} users: {sync_ms} ms)")
print(f"searches:                      {len(every)} on one keep-alive connection, after 20 warm-up searches")
print(f"{'kind':<30} {'p50':>8} {'p95':>8} {'max':>8}")
for kind, values in times.items():
    print(f"{kind:<30} {statistics.median(values):>6.1f}ms {pct(values, 95):>6.1f}ms {max(values):>6.1f}ms")
p95 = pct(every, 95)
print(f"{'all':<30} {statistics.median(every):>6.1f}ms {p95:>6.1f}ms {max(every):>6.1f}ms")
print(f"goal: p95 < 50 ms: {'met' if p95 < 50 else 'NOT met'}")
print(f"first search after a change (rebuilds the list): median {statistics.median(rebuilds):.0f} ms, max {max(rebuilds):.0f} ms ({len(rebuilds)} changes)")
