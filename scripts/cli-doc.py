#!/usr/bin/env python3
"""Rewrite the generated parts of docs/cli.md from `renja help` and every
command's `renja help CMD` (usage: cli-doc.py RENJA [--check]). With --check,
exit 1 when docs/cli.md differs instead of writing it."""
import os
import re
import subprocess
import sys

renja = sys.argv[1]
check = "--check" in sys.argv[2:]
doc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "cli.md")
text = open(doc).read()


def run(*args):
    return subprocess.run([renja, *args], check=True, capture_output=True, text=True).stdout


top = run("help")
names = []
for line in top.split("Commands:\n", 1)[1].split("\n\n", 1)[0].splitlines():
    words = line.split()
    two = len(words) > 1 and re.fullmatch(r"[a-z]+", words[1]) and \
        subprocess.run([renja, "help", words[0], words[1]], capture_output=True, text=True).stdout.startswith(
            "usage: renja %s %s " % (words[0], words[1]))
    names.append(words[:2] if two else words[:1])
blocks = "".join("```\n%s```\n\n" % run("help", *n) for n in names)
head, rest = text.split("```\n", 1)
rest = rest.split("```\n", 1)[1]
cmds_at = rest.index("## Commands\n\n")
after = rest[cmds_at:].split("\n## ", 1)
new = head + "```\n" + top + "```\n" + rest[:cmds_at] + "## Commands\n\n" + blocks.rstrip("\n") + "\n\n## " + after[1]
if check:
    if new != text:
        print("docs/cli.md differs from renja help: run scripts/cli-doc.py RENJA")
        sys.exit(1)
else:
    open(doc, "w").write(new)
