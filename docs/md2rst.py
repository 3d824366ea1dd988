"""Convert the Markdown guides in docs/ to the RST pages of the collection docsite.

Covers what the guides use: headings, paragraphs, bullet and numbered lists, fenced and indented
code, pipe tables, inline code, bold, links. Usage: python docs/md2rst.py (rewrites
docs/docsite/rst/<name>.rst for each guide); tests/unit/test_docsite.py checks they are current.
"""

import os
import re
import sys

DOCS = os.path.dirname(os.path.abspath(__file__))
GUIDES = {"guide": "docs/guide.md", "performance": "docs/performance.md"}
UNDERLINES = {1: "=", 2: "-", 3: "~", 4: "^"}
LABEL = "ansible_collections.vmops.migration.docsite.%s"


def inline(text):
    """Inline Markdown to RST: code, bold, links; other RST markup characters escaped."""
    pieces = re.split(r"(`[^`]+`)", text)
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:
            out.append("``%s``" % piece[1:-1])
            continue
        piece = piece.replace("\\", "\\\\")
        piece = re.sub(r"\*\*(.+?)\*\*", lambda m: "\x00" + m.group(1) + "\x00", piece)
        piece = piece.replace("*", "\\*").replace("|", "\\|")
        piece = re.sub(r"(\w)_(?=\W|$)", r"\1\\_", piece)
        piece = re.sub(r"\[([^\]]+)\]\((https?://[^)]+)\)", r"`\1 <\2>`__", piece)
        piece = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1", piece)
        out.append(piece.replace("\x00", "**"))
    text = "".join(out)
    # inline markup must be followed and preceded by a space or punctuation: separate with an escaped space
    text = re.sub(r"(``|\*\*)(?=[A-Za-z0-9])", lambda m: m.group(1) + "\\ " if _closing(text, m) else m.group(1), text)
    return text


def _closing(text, match):
    marker = match.group(1)
    return text[:match.start()].count(marker) % 2 == 1


def _cells(line):
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line)]


def table(lines):
    rows = [_cells(line) for line in lines if not re.match(r"^\s*\|?\s*:?-{3,}", line)]
    out = [".. list-table::", "   :header-rows: 1", ""]
    for row in rows:
        for index, cell in enumerate(row):
            out.append(("   * - " if index == 0 else "     - ") + (inline(cell.replace("\\|", "|")) or " "))
    return out + [""]


def convert(markdown, name):
    lines = markdown.splitlines()
    out = [".. _%s:" % (LABEL % name), "", ".. This file is generated from %s by docs/md2rst.py; edit that." % GUIDES[name], ""]
    index = 0
    while index < len(lines):
        line = lines[index]
        heading = re.match(r"^(#{1,4}) (.*)$", line)
        if heading:
            title = inline(heading.group(2))
            out += [title, UNDERLINES[len(heading.group(1))] * len(title), ""]
            index += 1
        elif line.startswith("```"):
            language = line[3:].strip() or "text"
            out += [".. code-block:: %s" % {"sh": "shell", "yml": "yaml"}.get(language, language), ""]
            index += 1
            while not lines[index].startswith("```"):
                out.append(("   " + lines[index]).rstrip())
                index += 1
            out.append("")
            index += 1
        elif line.startswith("    ") and (not out or out[-1] == ""):
            out += [".. code-block:: shell", ""]
            while index < len(lines) and (lines[index].startswith("    ") or not lines[index].strip()):
                out.append(("   " + lines[index][4:]).rstrip())
                index += 1
            out.append("")
        elif line.lstrip().startswith("|"):
            block = []
            while index < len(lines) and lines[index].lstrip().startswith("|"):
                block.append(lines[index])
                index += 1
            out += table(block)
        elif re.match(r"^(\s*)([-*]|\d+\.) ", line):
            if out and out[-1] != "" and not re.match(r"^\s*([-*]|\d+\.) ", out[-1]):
                out.append("")
            indent, marker, rest = re.match(r"^(\s*)([-*]|\d+\.) (.*)$", line).groups()
            out.append("%s%s %s" % (indent, "-" if marker in "-*" else marker, inline(rest)))
            index += 1
        elif not line.strip():
            if out and out[-1] != "":
                out.append("")
            index += 1
        else:
            out.append(inline(line.rstrip()) if not line.startswith(" ") else " " * (len(line) - len(line.lstrip())) + inline(line.strip()))
            index += 1
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def render_all(root):
    return {name: convert(open(os.path.join(root, path), encoding="utf-8").read(), name) for name, path in GUIDES.items()}


def main():
    root = os.path.dirname(DOCS)
    for name, text in render_all(root).items():
        with open(os.path.join(DOCS, "docsite", "rst", name + ".rst"), "w", encoding="utf-8") as handle:
            handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
