#!/usr/bin/env python3
"""Checks that a matrix folder's index.html and matrix.md say what its
matrix.json says:

- every cell that ran is on the page once, in the column of its libzmq
  version, with its verdict, kind (failure present, absent, ERROR), k/n and
  its report's link; every n/a cell is either said in its cell or explained
  once by its column's head, never both;
- the rows marked as differing are exactly those of the "differs" table;
- matrix.md, rendered by a GFM renderer (cmark-gfm), has the same tables:
  the same columns, and in each row and column the same results in the same
  words (or, when it says it left rows out, a subset of the rows).

usage: check_matrix.py DIR [--gfm CMARK_GFM] [--screenshot PNG]
"""
import html.parser
import json
import re
import subprocess
import sys

KIND_OF_VERDICT = {"reproduced": "present", "NOT FIXED": "present", "clean": "absent", "fixed upstream": "absent",
                   "Python unaffected": "absent", "not reproduced": "absent", "error": "error",
                   "interrupted": "error", "n/a": "na"}
MARKS = ("\U0001F7E5 ", "\U0001F7E9 ", "\U0001F7E7 ", "\u2b1c ", "\u26a0 ")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def verdict_of(cell):
    """The verdict word a cell must show, from the JSON alone."""
    status = cell["status"]
    if status == "n/a":
        return "n/a"
    if status != "ran":
        return "interrupted" if status == "interrupted" else "error"
    met, n, errors = cell["meeting_expectation"], cell["attempts"], cell.get("errors", 0)
    if errors > 0 and met == 0:
        return "error"
    if cell["judged_as"] == "broken":
        return "reproduced" if met > 0 else "not reproduced"
    if met > 0 and met + errors >= n:
        if cell.get("python_unaffected"):
            return "Python unaffected"
        return "fixed upstream" if cell["variant"] == "broken" else "clean"
    return "NOT FIXED"


class Page(html.parser.HTMLParser):
    """The matrix tables of index.html: heads, rows, and each row's results."""

    def __init__(self):
        super().__init__()
        self.tables, self.result, self.head, self.text = [], None, None, ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "table" and "matrix" in cls:
            self.tables.append({"id": a.get("id"), "heads": [], "rows": []})
        elif tag == "th" and "col" in cls and self.tables:
            self.head = {"label": a["data-column"], "note": a["data-note"], "builds": []}
            self.tables[-1]["heads"].append(self.head)
        elif tag == "span" and self.head is not None and "b" in cls:
            self.head["builds"].append(a["data-build"])
        elif tag == "tr" and "row" in cls and self.tables:
            self.tables[-1]["rows"].append({"case": a["data-case"], "changes_at": a["data-changes-at"],
                                            "differs": "differs" in cls, "results": []})
        elif tag == "div" and "r" in cls and self.tables:
            self.result, self.text = dict(a), ""
        elif tag == "a" and self.result is not None:
            self.result["href"] = a.get("href")

    def handle_data(self, data):
        if self.result is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "th":
            self.head = None
        if tag == "div" and self.result is not None:
            self.result["text"] = self.text
            self.tables[-1]["rows"][-1]["results"].append(self.result)
            self.result = None


class GfmTables(html.parser.HTMLParser):
    """The tables of matrix.md as cmark-gfm renders them: heads, and each row's cells (text, bold text)."""

    def __init__(self):
        super().__init__()
        self.tables, self.cell, self.bold, self.in_bold = [], None, "", False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"heads": [], "rows": []})
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell, self.bold = "", ""
        elif tag == "strong":
            self.in_bold = True

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
            if self.in_bold:
                self.bold += data

    def handle_endtag(self, tag):
        if tag == "strong":
            self.in_bold = False
        elif tag in ("td", "th"):
            self.row.append((self.cell, self.bold))
            self.cell = None
        elif tag == "tr":
            t = self.tables[-1]
            if not t["heads"]:
                t["heads"] = [c for c, _ in self.row]
            else:
                t["rows"].append(self.row)


def check_page(doc, page):
    cells = {(c["case"], c["mode"], c["build"]): c for c in doc["cells"]}
    family_tables = [t for t in page.tables if t["id"] != "differing"]
    if not family_tables:
        fail("index.html has no table of all cases")
    heads = family_tables[0]["heads"]
    column_of = {b: h for h in heads for b in h["builds"]}
    if set(column_of) != {b["name"] for b in doc["builds"]}:
        fail("the columns' heads name other builds than matrix.json: %s" % (set(column_of) ^ {b["name"] for b in doc["builds"]}))
    seen = {}
    for t in family_tables:
        for row in t["rows"]:
            for r in row["results"]:
                key = (r["data-case"], r["data-mode"], r["data-build"])
                if key in seen or key not in cells:
                    fail("index.html has an unknown or repeated result %s" % (key,))
                seen[key] = r
    for key, cell in cells.items():
        word = verdict_of(cell)
        r = seen.get(key)
        if r is None:
            if word != "n/a":
                fail("%s %s: a cell that %s is not on the page" % (key, cell["status"], word))
            note = column_of[key[2]]["note"]
            # Another build of the column ran the case in this mode: the cell is its.
            shown = [k for k in seen if k[:2] == key[:2] and column_of[k[2]] is column_of[key[2]]]
            if not shown and cell.get("reason", "") not in note and key[1] not in note:
                fail("%s is n/a (%s), and neither its cell nor its column's head says so (%r)" %
                     (key, cell.get("reason"), note))
            continue
        if r["data-verdict"] != word or r["data-kind"] != KIND_OF_VERDICT[word]:
            fail("%s: index.html says %s/%s, the JSON says %s" % (key, r["data-verdict"], r["data-kind"], word))
        if r["data-column"] != column_of[key[2]]["label"]:
            fail("%s is in column %s, not in its build's %s" % (key, r["data-column"], column_of[key[2]]["label"]))
        if cell["status"] == "ran":
            if (int(r["data-met"]), int(r["data-n"])) != (cell["meeting_expectation"], cell["attempts"]):
                fail("%s: index.html counts differ from the JSON" % (key,))
            if "%d/%d" % (cell["meeting_expectation"], cell["attempts"]) not in r["text"] and word != "error":
                fail("%s: %r lacks k/n" % (key, r["text"]))
            if cell.get("errors", 0) and "ERROR" not in r["text"]:
                fail("%s: %r does not say its lost attempts" % (key, r["text"]))
        if word == "n/a" and cell.get("reason", "") and cell["reason"] in column_of[key[2]]["note"]:
            fail("%s says n/a in its cell and in its column's head" % (key,))
        if cell.get("report") and r.get("href") != cell["report"]:
            fail("%s: the cell does not link to its report %s" % (key, cell["report"]))
    differing = [t for t in page.tables if t["id"] == "differing"]
    marked = [row["case"] for t in family_tables for row in t["rows"] if row["differs"]]
    listed = [row["case"] for t in differing for row in t["rows"]]
    if marked != listed:
        fail("the rows marked as differing (%s) are not those of the differs table (%s)" % (marked, listed))
    return family_tables, differing, len(seen)


def md_results(text):
    """A Markdown cell's results, their marks taken off."""
    out = []
    for part in text.strip().split(" \u00b7 ") if text.strip() else []:
        for mark in MARKS:
            if part.startswith(mark):
                part = part[len(mark):]
        for mark in MARKS:  # the not-held mark after the colour
            if part.startswith(mark):
                part = part[len(mark):]
        out.append(part)
    return out


def check_markdown(folder, cmark, family_tables, differing):
    md = open(folder + "/matrix.md", encoding="utf-8").read()
    out = subprocess.run([cmark, "-e", "table", "-e", "autolink", "-e", "strikethrough", folder + "/matrix.md"],
                         capture_output=True, text=True, check=True).stdout
    if "<script" in out or "<img" in out or "raw HTML omitted" in out:
        fail("matrix.md renders raw HTML")
    gfm = GfmTables()
    gfm.feed(out)
    matrices = [t for t in gfm.tables if t["heads"][:2] == ["case", "across versions"]]
    page_rows = {}
    for t in family_tables:
        for row in t["rows"]:
            page_rows[row["case"]] = row
    labels = [h["label"] for h in family_tables[0]["heads"]]
    cut = re.search(r"\*\d+ more cases (that differ )?are in index.html", md) is not None
    n = 0
    for t in matrices:
        if t["heads"][2:] != labels:
            fail("a table of matrix.md has the columns %s, the page %s" % (t["heads"][2:], labels))
        for row in t["rows"]:
            case = row[0][1]
            if case not in page_rows:
                fail("matrix.md has a row %r that the page does not" % case)
            page_row = page_rows[case]
            if (row[1][0].strip().startswith("changes at ")) != page_row["differs"]:
                fail("%s: matrix.md and the page disagree on whether it differs" % case)
            for c, label in enumerate(labels):
                want = [r["text"] for r in page_row["results"] if r["data-column"] == label]
                got = md_results(row[2 + c][0])
                if got != want:
                    fail("%s in %s: matrix.md shows %s, the page %s" % (case, label, got, want))
            n += 1
    md_cases = {row[0][1] for t in matrices for row in t["rows"]}
    differing_cases = {row["case"] for t in differing for row in t["rows"]}
    if "## All cases" not in md:  # --rows differing
        if md_cases != differing_cases:
            fail("matrix.md of --rows differing shows %s, the differing cases are %s" % (md_cases, differing_cases))
    elif not cut and md_cases != set(page_rows):
        fail("matrix.md lacks rows: %s" % (set(page_rows) - md_cases))
    if len(md) >= 65536:
        fail("matrix.md is %d characters: more than one GitHub comment" % len(md))
    print("matrix.md (as GFM) shows the page's results: %d rows in %d tables, %d characters%s" %
          (n, len(matrices), len(md), ", cut to fit" if cut else ""))


def main():
    folder = sys.argv[1]
    args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
    doc = json.load(open(folder + "/matrix.json"))
    if doc.get("kind") != "matrix":
        fail("matrix.json is not a matrix")
    page = Page()
    page.feed(open(folder + "/index.html", encoding="utf-8").read())
    family_tables, differing, n = check_page(doc, page)
    print("index.html agrees with matrix.json: %d results of %d cells" % (n, len(doc["cells"])))
    if "--gfm" in args:
        check_markdown(folder, args["--gfm"], family_tables, differing)


if __name__ == "__main__":
    main()
