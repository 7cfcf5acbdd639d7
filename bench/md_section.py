"""Writes a benchmark's section into a markdown file (docs/BENCHMARKS.md): the section whose
first line is lines[0] is replaced up to the next "## " heading, or appended."""
import os


def write_section(path, lines):
    text = open(path).read() if os.path.exists(path) else ""
    head = lines[0]
    if head in text:
        start = text.index(head)
        nxt = text.find("\n## ", start + 1)
        text = text[:start] + "\n".join(lines) + (text[nxt + 1:] if nxt >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines)
    with open(path, "w") as f:
        f.write(text)
