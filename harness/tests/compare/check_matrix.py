#!/usr/bin/env python3
"""Checks that a matrix folder's matrix.md and index.html say what its
matrix.json says, cell by cell, and (with --screenshot) that the page as
Chromium renders it shows each cell in its colour.

usage: check_matrix.py DIR [--screenshot PNG]
"""
import html.parser
import json
import struct
import sys
import zlib

COLOURS = {"held": (0xC8, 0xF0, 0xC8), "not-held": (0xF6, 0xB8, 0xB8), "na": (0xE4, 0xE4, 0xE4),
           "error": (0xFF, 0xD8, 0x9A)}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def verdict_of(cell):
    """The verdict word and colour class a cell must show, from the JSON alone."""
    status = cell["status"]
    if status == "n/a":
        return "n/a", "na"
    if status != "ran":
        return ("interrupted" if status == "interrupted" else "error"), "error"
    met, n = cell["meeting_expectation"], cell["attempts"]
    if cell["errors"] > 0 and met == 0:
        return "error", "error"
    if cell["judged_as"] == "broken":
        return ("reproduced", "held") if met > 0 else ("not reproduced", "not-held")
    if met == n and n > 0:
        return ("fixed upstream" if cell["variant"] == "broken" else "clean"), "held"
    return "NOT FIXED", "not-held"


class Cells(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells, self.current, self.text = [], None, ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "td" and "data-case" in a:
            self.current, self.text = a, ""
        elif tag == "a" and self.current is not None:
            self.current["href"] = a.get("href")

    def handle_data(self, data):
        if self.current is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "td" and self.current is not None:
            self.current["text"] = self.text
            self.cells.append(self.current)
            self.current = None


def md_cells(path, builds):
    """The cells of the matrix table (the one headed "| case | mode |"); "-" is no cell."""
    cells, in_matrix = {}, False
    for line in open(path, encoding="utf-8"):
        if line.startswith("| case | mode |"):
            in_matrix = True
            continue
        if not line.startswith("|"):
            in_matrix = False
            continue
        if not in_matrix or line.startswith("|---"):
            continue
        parts = [p.strip() for p in line.strip().strip("|").split(" | ")]
        if len(parts) != 2 + len(builds):
            fail("a row of matrix.md has %d columns, not %d: %s" % (len(parts), 2 + len(builds), line))
        for build, text in zip(builds, parts[2:]):
            if text != "-":
                cells[(parts[0], parts[1], build)] = text.replace("\\|", "|")
    return cells


def png_pixels(path):
    """Decodes an 8-bit RGB or RGBA PNG (what Chromium writes) into rows of pixels."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(path + " is not a PNG")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                fail("unexpected PNG format")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, ul = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + left) & 255
            elif ftype == 2:
                line[i] = (line[i] + up) & 255
            elif ftype == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif ftype == 4:
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else ul)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return rows


def main():
    folder = sys.argv[1]
    doc = json.load(open(folder + "/matrix.json"))
    if doc.get("kind") != "matrix":
        fail("matrix.json is not a matrix")
    builds = [b["name"] for b in doc["builds"]]
    expected = {}
    for cell in doc["cells"]:
        key = (cell["case"], cell["mode"], cell["build"])
        if key in expected:
            fail("two cells for %s" % (key,))
        expected[key] = cell
    # Markdown: every cell once, with its verdict, outcome and k/n.
    md = md_cells(folder + "/matrix.md", builds)
    if set(md) != set(expected):
        fail("matrix.md has other cells than matrix.json: %s" % (set(md) ^ set(expected)))
    for key, cell in expected.items():
        word, _ = verdict_of(cell)
        text = md[key]
        if not text.startswith(word):
            fail("%s: matrix.md says %r, the JSON says %s" % (key, text, word))
        if cell["status"] == "ran" and "%d/%d" % (cell["meeting_expectation"], cell["attempts"]) not in text:
            fail("%s: matrix.md %r lacks %d/%d" % (key, text, cell["meeting_expectation"], cell["attempts"]))
    # HTML: every cell once, with the same verdict, class, counts and a report that exists.
    parser = Cells()
    parser.feed(open(folder + "/index.html", encoding="utf-8").read())
    seen = set()
    for td in parser.cells:
        key = (td["data-case"], td["data-mode"], td["data-build"])
        if key not in expected or key in seen:
            fail("index.html has an unknown or repeated cell %s" % (key,))
        seen.add(key)
        cell = expected[key]
        word, css = verdict_of(cell)
        if td["data-verdict"] != word or td["class"] != css or not td["text"].startswith(word):
            fail("%s: index.html says %s/%s/%r, the JSON says %s/%s" % (key, td["data-verdict"], td["class"],
                                                                       td["text"], word, css))
        if cell["status"] == "ran" and (int(td["data-met"]) != cell["meeting_expectation"] or
                                        int(td["data-n"]) != cell["attempts"]):
            fail("%s: index.html counts differ from the JSON" % (key,))
        if cell.get("report") and td.get("href") != cell["report"]:
            fail("%s: the cell does not link to its report %s" % (key, cell["report"]))
        if td.get("href"):
            open(folder + "/" + td["href"]).close()
    if seen != set(expected):
        fail("index.html lacks cells: %s" % (set(expected) - seen))
    # The page as Chromium drew it: each colour class in use is on screen.
    if len(sys.argv) > 3 and sys.argv[2] == "--screenshot":
        pixels = png_pixels(sys.argv[3])
        on_screen = {name: 0 for name in COLOURS}
        for row in pixels:
            for px in row:
                for name, colour in COLOURS.items():
                    if px == colour:
                        on_screen[name] += 1
        # A cell is at least ~2500 pixels of its colour at this window size;
        # the legend shows a small swatch of each colour (< 2500 pixels).
        cells_of = {name: 0 for name in COLOURS}
        for c in expected.values():
            cells_of[verdict_of(c)[1]] += 1
        for name, n in cells_of.items():
            if n and on_screen[name] < 2500 * n:
                fail("the rendered page shows too little %s: %d pixels for %d cells" % (name, on_screen[name], n))
            if not n and on_screen[name] >= 2500:
                fail("the rendered page shows %s cells (%d pixels) that the JSON does not have" % (name, on_screen[name]))
        print("screenshot: %s" % ", ".join("%s %d px" % kv for kv in sorted(on_screen.items())))
    print("matrix.md and index.html agree with matrix.json: %d cells" % len(expected))


if __name__ == "__main__":
    main()
