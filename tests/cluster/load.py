#!/usr/bin/env python3
"""Write and read load through a load balancer, for the cluster test (cluster_test.sh).

  load.py run URL TOKEN OUT.json --stop-file F [--writers N] [--readers N] [--seconds S]
      Writers create accounts (POST /api/v1/accounts) and remember each one the API acknowledged
      (201 with its id); readers read acknowledged accounts back (GET /api/v1/accounts/{id}, the
      name must be the one written) and the first page of the list. A 503 with Retry-After is the
      answer the API gives while it cannot reach its database: counted as retryable and tried
      again (the same request: a write the server committed but could not acknowledge may then be
      made twice, never lost). Anything else (another status, a wrong answer, a connection the
      load balancer dropped) is a failure. Runs until the stop file exists (or S seconds).
  load.py verify URL TOKEN OUT.json
      Reads back every acknowledged write: those missing or changed are lost.
Prints one line of figures and leaves the details in OUT.json.
"""
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse


class Client:
    def __init__(self, url, token):
        parsed = urllib.parse.urlparse(url)
        self.host, self.port = parsed.hostname, parsed.port
        self.headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json",
                        "Connection": "close"}

    def call(self, method, path, body=None):
        """(status, headers, parsed body or text); status 0 when the connection failed (a
        failure). A connection per request: a load balancer reloading its configuration closes
        idle kept-alive connections, and a request sent on one just then is neither answered nor
        known to be unsent."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body),
                         headers=self.headers)
            reply = conn.getresponse()
            data = reply.read()
            try:
                parsed = json.loads(data) if data else None
            except ValueError:
                parsed = data.decode("utf-8", "replace")
            return reply.status, reply.headers, parsed
        except (OSError, http.client.HTTPException) as e:
            return 0, {}, f"{type(e).__name__}: {e}"
        finally:
            conn.close()


class Figures:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {"writes_acknowledged": 0, "reads_ok": 0, "lists_ok": 0, "retryable_503": 0,
                       "failed": 0}
        self.acknowledged = []  # [id, name]
        self.failures = []  # the first few, for the report
        self.first_503 = self.last_503 = None  # when the 503s began and ended

    def add(self, key, n=1):
        with self.lock:
            self.counts[key] += n
            if key == "retryable_503":
                now = time.monotonic()
                self.first_503 = self.first_503 or now
                self.last_503 = now

    def fail(self, what):
        with self.lock:
            self.counts["failed"] += 1
            if len(self.failures) < 20:
                self.failures.append(what)


def retryable(status, headers):
    return status == 503 and headers.get("Retry-After") is not None


def writer(url, token, figures, stop, tag):
    client = Client(url, token)
    n = 0
    while not stop():
        n += 1
        name = f"cluster {tag} #{n}"
        while True:
            status, headers, body = client.call("POST", "/api/v1/accounts",
                                                {"name": name, "type": "hospital"})
            if status == 201 and isinstance(body, dict) and body.get("name") == name:
                with figures.lock:
                    figures.counts["writes_acknowledged"] += 1
                    figures.acknowledged.append([body["id"], name])
                break
            if retryable(status, headers):
                figures.add("retryable_503")
                time.sleep(0.2)  # Retry-After says 2 s; a load test keeps the pressure on
                if stop():
                    break
                continue
            figures.fail(f"POST {name}: {status} {str(body)[:200]}")
            break


def reader(url, token, figures, stop):
    client = Client(url, token)
    rng = random.Random()
    while not stop():
        with figures.lock:
            pick = rng.choice(figures.acknowledged) if figures.acknowledged else None
        if pick and rng.random() < 0.8:
            what, counter = f"GET account {pick[0]}", "reads_ok"
            status, headers, body = client.call("GET", f"/api/v1/accounts/{pick[0]}")
            right = isinstance(body, dict) and body.get("name") == pick[1]
        else:
            what, counter = "GET accounts", "lists_ok"
            status, headers, body = client.call("GET", "/api/v1/accounts?limit=20")
            right = isinstance(body, dict) and isinstance(body.get("items"), list)
        if status == 200 and right:
            figures.add(counter)
        elif retryable(status, headers):
            figures.add("retryable_503")
            time.sleep(0.2)
        else:
            figures.fail(f"{what}: {status} {str(body)[:200]}")


def run(url, token, out, args):
    stop_file = args.get("--stop-file")
    seconds = float(args.get("--seconds", "600"))
    writers = int(args.get("--writers", "3"))
    readers = int(args.get("--readers", "3"))
    started = time.monotonic()

    def stop():
        return (stop_file and os.path.exists(stop_file)) or time.monotonic() - started > seconds

    figures = Figures()
    tag = f"{os.getpid()}-{int(time.time())}"
    threads = [threading.Thread(target=writer, args=(url, token, figures, stop, f"{tag} w{i}"))
               for i in range(writers)]
    threads += [threading.Thread(target=reader, args=(url, token, figures, stop))
                for _ in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    window = figures.last_503 - figures.first_503 if figures.first_503 else 0
    result = dict(figures.counts, seconds=round(elapsed, 1), failures=figures.failures,
                  acknowledged=figures.acknowledged, seconds_of_503s=round(window, 2))
    with open(out, "w") as f:
        json.dump(result, f)
    c = figures.counts
    print(f"{elapsed:.0f} s: {c['writes_acknowledged']} writes acknowledged, {c['reads_ok']} reads "
          f"and {c['lists_ok']} lists answered, {c['retryable_503']} retryable 503s, "
          f"{c['failed']} failed" + (f" (503s for {window:.2f} s)" if window else ""))
    for f in figures.failures[:5]:
        print("  failure:", f)
    return 0


def verify(url, token, out):
    with open(out) as f:
        result = json.load(f)
    client = Client(url, token)
    lost = []
    for account_id, name in result["acknowledged"]:
        for _ in range(50):
            status, headers, body = client.call("GET", f"/api/v1/accounts/{account_id}")
            if not retryable(status, headers):
                break
            time.sleep(0.2)
        if status != 200 or not isinstance(body, dict) or body.get("name") != name:
            lost.append([account_id, name, status])
    result["lost"] = len(lost)
    result["lost_examples"] = lost[:10]
    with open(out, "w") as f:
        json.dump(result, f)
    print(f"{len(result['acknowledged'])} acknowledged writes read back, {len(lost)} lost")
    for item in lost[:5]:
        print("  lost:", item)
    return 0


def main(argv):
    if len(argv) < 5 or argv[1] not in ("run", "verify"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, url, token, out = argv[1:5]
    rest = argv[5:]
    args = dict(zip(rest[::2], rest[1::2]))
    return run(url, token, out, args) if mode == "run" else verify(url, token, out)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
