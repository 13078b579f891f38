#!/usr/bin/env python3
"""Measures `aimsc serve`'s change-to-reload latency. See docs/serve.md.

For each repository (a copy of example-repo/, and N generated documents per
size) it starts `aimsc serve --port 0`, and for each run: reads the current
build version, opens the live-reload long poll an open page would hold
(/__aimsc/events?since=VERSION), edits one document, and times

  signal:   from the write to the long poll's answer (what makes a page reload);
  reloaded: from the write to the new page fetched, checked to hold the edit;
  rebuild:  the server's own figure for that rebuild (check + render in memory).

It prints the median and 90th percentile of each. The first edit is a warm-up
and not counted. Only 127.0.0.1 is spoken to, and the server is stopped at the end.

usage: serve_latency.py [--runs N] [--sizes 1000,...] [--poll]
The binary is $AIMSC, else target/release/aimsc (built with cargo when missing).
"""
import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TODAY = "2026-12-01"
WAIT = 20.0


def get(port, path, timeout=WAIT + 10):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
        return r.read().decode("utf-8", "replace")


class Server:
    """`aimsc serve` on a free port, with its rebuild times collected from stderr."""

    def __init__(self, binary, repo, poll):
        args = [binary, "serve", repo, "--port", "0", "--today", TODAY] + (["--poll"] if poll else [])
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.rebuilds = []
        self.log = []
        threading.Thread(target=self._stderr, daemon=True).start()
        deadline = time.monotonic() + 120
        self.port = None
        while self.port is None:
            line = self.proc.stdout.readline()
            if not line or time.monotonic() > deadline:
                self.stop()
                sys.exit("aimsc serve did not start:\n" + "".join(self.log))
            m = re.match(r"serving http://127\.0\.0\.1:(\d+)/", line)
            if m:
                self.port = int(m.group(1))

    def _stderr(self):
        for line in self.proc.stderr:
            self.log.append(line)
            m = re.search(r"changed: rebuilt the portal in (\d+) ms", line)
            if m:
                self.rebuilds.append(int(m.group(1)))
            elif "did not build" in line:
                self.rebuilds.append(None)

    def version(self):
        return json.loads(get(self.port, "/__aimsc/events"))["version"]

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def settled_version(server):
    """The version once no rebuild has happened for a while."""
    v = server.version()
    while True:
        time.sleep(0.3)
        now = server.version()
        if now == v:
            return v
        v = now


def one_edit(server, doc_path, page, n):
    """Edits the document once; returns (signal s, reloaded s, rebuild ms).

    The signal is the first version change after the edit whose page shows
    the edit (a change answered earlier, by a build that missed it, would
    reload a page without the edit, so it does not count as the end)."""
    since = settled_version(server)
    builds_before = len(server.rebuilds)
    answer = {}

    def poll():
        v = since
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            event = json.loads(get(server.port, f"/__aimsc/events?since={v}"))
            at = time.perf_counter()
            if event["version"] == v:
                continue
            v = event["version"]
            if not event["ok"]:
                answer["failed"] = event
                return
            html = get(server.port, page)
            if f"Latency probe {n}." in html:
                answer.update(signal=at, reloaded=time.perf_counter())
                return

    t = threading.Thread(target=poll)
    t.start()
    # Let the long poll reach the server before the edit, as an open page's has.
    time.sleep(0.2)
    with open(doc_path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"\n\nLatency probe \d+\.\n$", "\n", text)
    start = time.perf_counter()
    with open(doc_path, "w", encoding="utf-8") as f:
        f.write(text.rstrip("\n") + f"\n\nLatency probe {n}.\n")
    t.join(WAIT + 10)
    if "signal" not in answer:
        sys.exit(f"edit {n} was not served: {answer}\n" + "".join(server.log[-20:]))
    deadline = time.monotonic() + WAIT
    while len(server.rebuilds) <= builds_before and time.monotonic() < deadline:
        time.sleep(0.01)
    rebuild = server.rebuilds[-1] if len(server.rebuilds) > builds_before else None
    return answer["signal"] - start, answer["reloaded"] - start, rebuild


def pct(values, p):
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def measure(binary, label, repo, doc, page, runs, poll):
    server = Server(binary, repo, poll)
    try:
        one_edit(server, os.path.join(repo, doc), page, 0)  # warm-up
        rows = [one_edit(server, os.path.join(repo, doc), page, n) for n in range(1, runs + 1)]
    finally:
        server.stop()
    sig = [r[0] * 1000 for r in rows]
    rel = [r[1] * 1000 for r in rows]
    reb = [r[2] for r in rows if r[2] is not None]
    cells = [label, str(runs)]
    for v in (sig, rel, reb):
        cells += [f"{statistics.median(v):.0f} ms", f"{pct(v, 90):.0f} ms"] if v else ["-", "-"]
    return cells


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--sizes", default="1000", help="comma-separated sizes of generated repositories")
    ap.add_argument("--poll", action="store_true", help="measure `aimsc serve --poll`")
    args = ap.parse_args()
    binary = os.environ.get("AIMSC") or os.path.join(ROOT, "target/release/aimsc")
    if "AIMSC" not in os.environ:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    binary = os.path.abspath(binary)
    env = dict(os.environ, AIMSC=binary)
    table = []
    with tempfile.TemporaryDirectory() as work:
        repo = os.path.join(work, "example")
        shutil.copytree(os.path.join(ROOT, "example-repo"), repo, ignore=shutil.ignore_patterns("_site"))
        table.append(
            measure(binary, "example-repo", repo, "policies/access-control-policy.md",
                    "/documents/POL-ISMS-002.html", args.runs, args.poll)
        )
        for n in [int(s) for s in args.sizes.split(",") if s]:
            repo = os.path.join(work, f"gen-{n}")
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts/gen_repo.py"), str(n), repo], env=env, check=True)
            table.append(
                measure(binary, f"{n:,} documents", repo, "docs/doc-00010.md", "/documents/DOC-00010.html",
                        args.runs, args.poll)
            )
    mode = "--poll" if args.poll else "native events"
    print(f"aimsc serve ({mode}), one document edited per run; medians and 90th percentiles\n")
    head = ["repository", "runs", "signal median", "signal p90", "reloaded median", "reloaded p90",
            "rebuild median", "rebuild p90"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
    for row in table:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
