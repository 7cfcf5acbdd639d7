#!/usr/bin/env python3
"""The docs stand alone: every relative link and anchor of README.md and docs/*.md resolves to a
file of the project and a heading in it, none leaves the project; the README stays short, begins
with its two commands and names every package scripts/deps.sh installs.

usage: docs_links_test.py ROOT"""
import re
import sys
from pathlib import Path

README_MAX_LINES = 220
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def prose_lines(text):
    """The lines outside fenced code blocks, with their numbers, inline code spans blanked."""
    fenced = False
    for no, line in enumerate(text.split("\n"), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield no, re.sub(r"`+[^`]*`+", "``", line)


def slug(heading):
    """GitHub's anchor of a heading: markup dropped, lower case, punctuation removed, spaces
    to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"<[^>]+>", "", text).lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def anchors(path):
    """Every anchor a Markdown file defines (headings, numbered when repeated; HTML anchors)."""
    seen, out = {}, set()
    text = path.read_text(encoding="utf-8")
    fenced = False
    for line in text.split("\n"):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        out.update(HTML_ANCHOR.findall(line))
        m = HEADING.match(line)
        if m:
            base = slug(m.group(2))
            n = seen.get(base, 0)
            seen[base] = n + 1
            out.add(base if n == 0 else "%s-%d" % (base, n))
    return out


def check_links(root, path, errors):
    text = path.read_text(encoding="utf-8")
    for no, line in prose_lines(text):
        targets = LINK.findall(line)
        m = REF_DEF.match(line)
        if m:
            targets.append(m.group(1))
        for target in targets:
            where = "%s:%d: %s" % (path.relative_to(root), no, target)
            if SCHEME.match(target):
                continue  # a web address, not a file of the project
            file_part, _, anchor = target.partition("#")
            if file_part.startswith("/"):
                errors.append(where + ": an absolute path (outside the project)")
                continue
            dest = (path.parent / file_part).resolve() if file_part else path.resolve()
            if root.resolve() not in dest.parents and dest != root.resolve():
                errors.append(where + ": leaves the project")
            elif not dest.exists():
                errors.append(where + ": no such file")
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                errors.append(where + ": no heading with this anchor in " + dest.name)
            elif anchor and dest.suffix != ".md":
                errors.append(where + ": an anchor into a file that is not Markdown")


def check_readme(root, errors):
    lines = (root / "README.md").read_text(encoding="utf-8").split("\n")
    if len(lines) > README_MAX_LINES:
        errors.append("README.md: %d lines, more than %d: move details to docs/"
                      % (len(lines), README_MAX_LINES))
    # the title, then at once the block of the two commands
    body = [l for l in lines[1:] if l.strip()]
    if not (lines[0].startswith("# ") and len(body) >= 4 and body[0].startswith("```")
            and body[1].startswith("scripts/demo.sh") and body[2].startswith("scripts/test.sh")
            and body[3].startswith("```")):
        errors.append("README.md: does not begin with its title and the block of the two "
                      "commands (scripts/demo.sh, scripts/test.sh)")
    # the opening text, before the first section, names what scripts/deps.sh installs
    opening = "\n".join(lines[:next((i for i, l in enumerate(lines) if l.startswith("## ")),
                                    len(lines))])
    deps = (root / "scripts" / "deps.sh").read_text(encoding="utf-8")
    for pkg in re.findall(r"^\s*(?:if .*then )?check ([a-z0-9][a-z0-9.+-]*) ", deps, re.M):
        if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(pkg), opening):
            errors.append("README.md: the opening paragraph does not name %s, which "
                          "scripts/deps.sh installs" % pkg)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = Path(sys.argv[1])
    errors = []
    pages = [root / "README.md"] + sorted((root / "docs").glob("*.md"))
    for page in pages:
        check_links(root, page, errors)
    check_readme(root, errors)
    for e in errors:
        print("docs_links_test: " + e)
    print("docs_links_test: %d pages, %d problems" % (len(pages), len(errors)))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
