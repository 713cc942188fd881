#!/usr/bin/env python3
"""Checks the version matrix's page as Chromium loaded it, from the DOM and
the computed styles that page_probe.html wrote (chromium --dump-dom):

- every result shows the colour of what it says: failure present
  (reproduced, NOT FIXED), absent (clean, fixed upstream, not reproduced),
  harness ERROR; an expectation that did not hold is outlined;
- no result says n/a for a reason its column's head already gives;
- each --verdict named is on the page, in its colour;
- --changes CASE=LABEL: the case's row is marked as changing at column
  LABEL (and says so); --cites CASE=REF: its row links REF upstream;
- every location of every failure symptom of matrix.json is listed in the
  symptoms table with its count, on every build where it appeared
  (--symptom KEY: that one must be listed on at least --min-builds builds);
- the rows that differ between versions are above the first screen's fold.

usage: check_page_dom.py DIR DUMP [--verdict WORD]... [--changes CASE=LABEL]... [--cites CASE=REF]...
                         [--symptom KEY [--min-builds N]]
"""
import html
import json
import re
import sys

PRESENT, ABSENT, ERROR, NA = "rgb(244, 166, 166)", "rgb(191, 230, 191)", "rgb(255, 200, 112)", "rgb(228, 228, 228)"
COLOUR = {"present": PRESENT, "absent": ABSENT, "error": ERROR, "na": NA}
KIND_OF_VERDICT = {"reproduced": "present", "NOT FIXED": "present", "clean": "absent", "fixed upstream": "absent",
                   "Python unaffected": "absent", "not reproduced": "absent", "error": "error",
                   "interrupted": "error", "n/a": "na"}
FAILURES = ("TSAN", "SHARED_SOCKET", "HANDOFF", "ASSERT", "FATAL_PYTHON", "SIGNAL", "HANG", "LOSS", "EXIT")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def probe_of(dump):
    text = open(dump, encoding="utf-8").read()
    m = re.search(r'<pre id="out">(.*?)</pre>', text, re.S)
    if not m:
        fail("the probe wrote nothing (no <pre id=out> in the dump)")
    try:
        return json.loads(html.unescape(m.group(1)))
    except ValueError:
        fail("the probe did not load the page: %s" % m.group(1)[:200])


def options(args):
    opts = {"verdict": [], "changes": [], "cites": [], "symptom": None, "min-builds": 1}
    i = 0
    while i < len(args):
        name, value = args[i].lstrip("-"), args[i + 1]
        if name in ("verdict", "changes", "cites"):
            opts[name].append(value)
        elif name == "min-builds":
            opts[name] = int(value)
        else:
            opts[name] = value
        i += 2
    return opts


def main():
    folder, dump, opts = sys.argv[1], sys.argv[2], options(sys.argv[3:])
    doc = json.load(open(folder + "/matrix.json"))
    probe = probe_of(dump)
    cells = {(c["case"], c["mode"], c["build"]): c for c in doc["cells"]}
    tables = probe["tables"]
    if not tables:
        fail("the page has no matrix table")
    seen_verdicts = {}
    for t in tables:
        notes = {h["label"]: h["note"] or "" for h in t["heads"]}
        for row in t["rows"]:
            for r in row["results"]:
                a, style = r["attrs"], r["style"]
                kind, verdict = a["data-kind"], a["data-verdict"]
                if KIND_OF_VERDICT.get(verdict) != kind:
                    fail("%s %s on %s: verdict %r shown as %s" % (a["data-case"], a["data-mode"], a["data-build"],
                                                                  verdict, kind))
                if style["background"] != COLOUR[kind]:
                    fail("%s %s on %s (%s): background %s, not %s" % (a["data-case"], a["data-mode"], a["data-build"],
                                                                       verdict, style["background"], COLOUR[kind]))
                not_held = verdict in ("NOT FIXED", "not reproduced")
                outlined = style["outline"].startswith("solid")
                if not_held != outlined:
                    fail("%s %s on %s (%s): outline %r" % (a["data-case"], a["data-mode"], a["data-build"], verdict,
                                                           style["outline"]))
                if kind == "na":
                    reason = cells.get((a["data-case"], a["data-mode"], a["data-build"]), {}).get("reason", "")
                    note = notes.get(a["data-column"], "")
                    unserved = {m for part in re.findall(r"(?:^|; )([^;:]*?) not run:", note)
                                for m in part.split(", ")}
                    if (reason and reason in note) or a["data-mode"] in unserved:
                        fail("%s %s in column %s says n/a, which its head says already: %r" %
                             (a["data-case"], a["data-mode"], a["data-column"], note))
                if int(a["data-errors"]) > 0 and kind != "error" and "ERROR" not in r["text"]:
                    fail("%s %s on %s lost attempts and does not say so: %r" % (a["data-case"], a["data-mode"],
                                                                              a["data-build"], r["text"]))
                seen_verdicts.setdefault(verdict, r)
    for word in opts["verdict"]:
        if word not in seen_verdicts:
            fail("no %r result on the page (the page has %s)" % (word, sorted(seen_verdicts)))
        r = seen_verdicts[word]
        print("  %-15s %s %s" % (word, r["style"]["background"], r["text"]))
    # The rows marked as changing, and where.
    for spec in opts["changes"]:
        case, label = spec.split("=", 1)
        rows = [row for t in tables for row in t["rows"] if row["attrs"]["data-case"] == case]
        if not rows:
            fail("no row of %s" % case)
        for row in rows:
            if row["attrs"].get("data-changes-at") != label or "differs" not in row["attrs"]["class"]:
                fail("the %s row is not marked as changing at %s: %s" % (case, label, row["attrs"]))
            if ("changes at %s" % label) not in row["change"]:
                fail("the %s row does not say it changes at %s: %r" % (case, label, row["change"]))
            if not row["head_style"]["borderLeft"].startswith("solid"):
                fail("the %s row is not marked in the margin: %s" % (case, row["head_style"]))
        print("  %s (%s): %s, in %d tables" % (case, " ".join(x["text"] for x in rows[0]["refs"]), rows[0]["change"],
                                             len(rows)))
    for spec in opts["cites"]:
        case, ref = spec.split("=", 1)
        row = next((row for t in tables for row in t["rows"] if row["attrs"]["data-case"] == case), None)
        link = next((x["href"] for x in (row or {"refs": []})["refs"] if x["text"] == ref), None)
        want = "https://github.com/zeromq/libzmq/issues/" + ref.split("#")[1] if ref.startswith("libzmq#") else None
        if not link or (want and link != want):
            fail("the %s row does not link %s to upstream: %s" % (case, ref, row and row["refs"]))
        print("  %s cites %s: %s" % (case, ref, link))
    if tables[0]["id"] != "differing" and any(row["attrs"].get("data-changes-at") for t in tables for row in t["rows"]):
        fail("the rows that differ are not the page's first table")
    if probe["differs_top"] > 600:
        fail("the rows that differ start at %d px: below the first screen" % probe["differs_top"])
    # Every location of every failure symptom, with its count per build.
    listed = {s["key"]: {(w["build"], w["location"]): w["count"] for w in s["where"]} for s in probe["symptoms"]}
    want = {}
    for c in doc["cells"]:
        if c.get("status") != "ran":
            continue
        for key, n in c.get("symptoms", {}).items():
            if key.split(" ")[0] not in FAILURES:
                continue
            per = c.get("symptom_locations", {}).get(key)
            pairs = per.items() if per else [(c.get("locations", {}).get(key, ""), n)]
            for loc, k in pairs:
                w = want.setdefault(key, {})
                w[(c["build"], loc)] = w.get((c["build"], loc), 0) + k
    for key, where in want.items():
        if listed.get(key) != where:
            fail("symptom %r: the page lists %s, matrix.json has %s" % (key, listed.get(key), where))
    if opts["symptom"]:
        where = listed.get(opts["symptom"], {})
        builds = {b for b, _ in where}
        if len(builds) < opts["min-builds"]:
            fail("symptom %r is listed on %d builds, not %d" % (opts["symptom"], len(builds), opts["min-builds"]))
        print("  %s: %s" % (opts["symptom"], "; ".join("%s %s x%d" % (b, l, n) for (b, l), n in where.items())))
    n = sum(len(row["results"]) for t in tables for row in t["rows"])
    print("the page as Chromium shows it: %d results in %d tables, %d symptoms with every location" %
          (n, len(tables), len(want)))


if __name__ == "__main__":
    main()
