#!/usr/bin/env python3
"""Generates a synthetic aimsc repository of N documents for benchmarks.

Every document is approved, claims clauses and controls of both standards,
references other documents by ID and links to them with anchors, so that
every check does real work. The output is deterministic for a given N.

usage: gen_repo.py N OUT_DIR
"""
import json
import os
import random
import subprocess
import sys


def catalog(binary, key):
    out = subprocess.run([binary, "catalog", key, "--format", "json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    binary = os.environ.get("AIMSC", "target/release/aimsc")
    rnd = random.Random(n)
    cats = {k: catalog(binary, k) for k in ("iso27001", "iso42001")}
    leaf = {}
    controls = {}
    for k, items in cats.items():
        parents = {i["parent"] for i in items if i["parent"]}
        leaf[k] = [i["id"] for i in items if i["kind"] == "clause" and i["id"] not in parents]
        controls[k] = [i["id"] for i in items if i["kind"] == "control"]
    os.makedirs(os.path.join(out, "docs"), exist_ok=True)
    with open(os.path.join(out, "aimsc.toml"), "w") as f:
        f.write('organisation = "Benchmark Ltd"\nstandards = ["iso27001", "iso42001"]\n')
    approval = "status: approved\nowner: CISO\napproved_by: Board\napproved_on: 2026-06-01\nnext_review: 2027-06-01\n"
    for k in cats:
        rows = "".join(
            f'  {c}: {{applicable: true, status: implemented, justification: "Selected by risk treatment {i} for {k}."}}\n'
            for i, c in enumerate(controls[k])
        )
        with open(os.path.join(out, f"soa-{k}.md"), "w") as f:
            f.write(f"---\nid: SOA-{k}\ntitle: SoA {k}\ntype: soa\nstandard: {k}\n{approval}controls:\n{rows}---\n# SoA\n")
    count = n - 2
    for i in range(count):
        # The first documents claim everything once so the repository checks clean.
        claims = {}
        for k in cats:
            ids = leaf[k] + controls[k]
            chosen = {ids[i % len(ids)]} | set(rnd.sample(ids, 3))
            claims[k] = sorted(chosen)
        sat = ", ".join(f"{k}: [{', '.join(json.dumps(x) for x in v)}]" for k, v in claims.items())
        refs = sorted({f"DOC-{rnd.randrange(count):05d}" for _ in range(3)})
        target = rnd.randrange(count)
        body = []
        for h in ("Purpose", "Scope", "Roles and responsibilities", "Requirements", "Records"):
            body.append(f"## {h}\n\n")
            body.append(
                f"This section of document {i} describes how the organisation meets its obligations. "
                f"See [[DOC-{target:05d}]] and [the related procedure](doc-{target:05d}.md#requirements). "
                "Staff follow the steps below and keep evidence of each review.\n\n"
                "1. Identify the assets and AI systems concerned.\n2. Assess the risks.\n3. Record the outcome.\n\n"
            )
        with open(os.path.join(out, "docs", f"doc-{i:05d}.md"), "w") as f:
            f.write(
                f"---\nid: DOC-{i:05d}\ntitle: Document {i}\ntype: {'procedure' if i % 3 else 'policy'}\n{approval}"
                f"satisfies: {{{sat}}}\nreferences: [{', '.join(refs)}]\n---\n# Document {i}\n\n{''.join(body)}"
            )


if __name__ == "__main__":
    main()
