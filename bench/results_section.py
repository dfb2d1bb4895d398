#!/usr/bin/env python3
"""Replaces (or appends) one "## Name" section of bench/RESULTS.md.

Usage: results_section.py RESULTS.md SECTION_FILE
The section file starts with its "## Name" heading; the section it replaces
runs from that heading to the next "## " heading or the end.
"""
import re
import sys

md, sec_path = sys.argv[1], sys.argv[2]
sec = open(sec_path).read()
heading = sec.splitlines()[0] if sec else ""
if not heading.startswith("## "):
    sys.exit(f"{sec_path}: the section must start with a '## ' heading")
try:
    text = open(md).read()
except FileNotFoundError:
    text = ""
pat = re.compile(r"^" + re.escape(heading) + r"\n.*?(?=^## |\Z)", re.S | re.M)
if pat.search(text):
    text = pat.sub(lambda m: sec + "\n", text)
else:
    if text and not text.endswith("\n\n"):
        text += "\n" if text.endswith("\n") else "\n\n"
    text += sec
open(md, "w").write(text)
