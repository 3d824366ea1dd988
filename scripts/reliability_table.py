#!/usr/bin/env python
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render the reliability suite's figures (.cache/reliability/results.json) as the table in docs/reliability.md.

    python scripts/reliability_table.py [--results FILE] [--doc FILE] [--stdout]

The table replaces what is between the marker comments
``<!-- reliability-table:start -->`` and ``<!-- reliability-table:end -->`` in the document;
``--stdout`` prints it instead. Bad input exits 2 with one line.
"""

import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START = "<!-- reliability-table:start -->"
END = "<!-- reliability-table:end -->"
COLUMNS = (
    ("runs", "Runs"),
    ("migrations", "Migrations"),
    ("faults", "Faults injected"),
    ("lost", "Servers lost"),
    ("in_error", "Servers left in ERROR"),
    ("duplicates", "Duplicate migrations"),
)


def render(scenarios):
    """The Markdown table, one row per scenario in title order, with a total row."""
    header = "| Scenario | " + " | ".join(title for key, title in COLUMNS) + " |"
    rule = "|---|" + "---:|" * len(COLUMNS)
    lines = [header, rule]
    for name in sorted(scenarios):
        lines.append("| %s | %s |" % (name, " | ".join(str(scenarios[name][key]) for key, title in COLUMNS)))
    totals = [str(sum(row[key] for row in scenarios.values())) for key, title in COLUMNS]
    lines.append("| **Total** | %s |" % " | ".join("**%s**" % value for value in totals))
    return "\n".join(lines) + "\n"


def replace_table(document, table):
    """The document with the text between the markers replaced by ``table``."""
    start, end = document.find(START), document.find(END)
    if start < 0 or end < start:
        raise ValueError("the document has no %s ... %s section" % (START, END))
    return document[:start + len(START)] + "\n" + table + document[end:]


def load_scenarios(path):
    with open(path, encoding="utf-8") as handle:
        try:
            content = json.load(handle)
        except ValueError as exc:
            raise ValueError("%s is not JSON: %s" % (path, exc))
    scenarios = content.get("scenarios") if isinstance(content, dict) else None
    if not isinstance(scenarios, dict) or not scenarios:
        raise ValueError("%s holds no scenarios" % path)
    for name, row in scenarios.items():
        missing = [key for key, title in COLUMNS if not isinstance(row.get(key), int)]
        if missing:
            raise ValueError("scenario %r in %s lacks %s" % (name, path, ", ".join(missing)))
    return scenarios


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=os.path.join(ROOT, ".cache", "reliability", "results.json"))
    parser.add_argument("--doc", default=os.path.join(ROOT, "docs", "reliability.md"))
    parser.add_argument("--stdout", action="store_true", help="print the table instead of updating the document")
    args = parser.parse_args(argv)
    try:
        table = render(load_scenarios(args.results))
        if args.stdout:
            sys.stdout.write(table)
            return 0
        with open(args.doc, encoding="utf-8") as handle:
            document = replace_table(handle.read(), table)
    except (OSError, ValueError) as exc:
        print("reliability_table: %s" % exc, file=sys.stderr)
        return 2
    with open(args.doc, "w", encoding="utf-8") as handle:
        handle.write(document)
    print("reliability_table: %d scenarios written to %s" % (len(table.splitlines()) - 3, args.doc), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
