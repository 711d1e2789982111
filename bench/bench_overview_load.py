"""Load on the indicator overview: N concurrent clients against a running server on this machine.

Run against `make run` (demo data, gunicorn with 2 workers on the 2-core machine):
    .venv/bin/python bench/bench_overview_load.py --clients 20 --requests 20
Target (issue #4): median at most 100 ms and p95 at most 250 ms with 20 concurrent clients.
Traffic goes to 127.0.0.1 only; the loop is bounded by --requests per client.
"""

import argparse
import http.cookiejar
import statistics
import threading
import time
import urllib.parse
import urllib.request


def signed_in_opener(base: str, username: str, password: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = f"{base}/accounts/login/"
    opener.open(login).read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(login, data=body, headers={"Referer": login})
    opener.open(request).read()
    if not any(c.name == "sessionid" for c in jar):
        raise SystemExit("login failed")
    return opener


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--path", default="/monitoring/?year=2024")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="zhizao-admin")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    if not args.url.startswith(("http://127.", "http://localhost")):
        raise SystemExit("this benchmark only targets this machine")
    openers = [signed_in_opener(args.url, args.user, args.password) for _ in range(args.clients)]
    timings: list[float] = []
    lock = threading.Lock()

    def client(opener):
        for _ in range(args.requests):
            start = time.perf_counter()
            with opener.open(args.url + args.path) as response:
                response.read()
                assert response.status == 200
            with lock:
                timings.append((time.perf_counter() - start) * 1000)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(o,)) for o in openers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"| {args.path} | {args.clients} | {len(timings)} | {statistics.median(timings):.0f} | "
        f"{p95:.0f} | {len(timings) / elapsed:.1f} |"
    )


if __name__ == "__main__":
    main()
