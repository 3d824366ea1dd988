# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A run report (the dict report.run_report builds) as one self-contained HTML page.

The page has no scripts and no external references: inline CSS and SVG only, so it can be
mailed, attached to a ticket or opened from an artifact store as it is. It is also well-formed
XML (every element closed, every text escaped), which keeps it easy to test.

Sections: totals (moves, bytes, elapsed time against the estimate and the lower bound), a
timeline of the moves by source host (one bar per move that ran, coloured by result), the
utilisation of every host before and after, blocked instances with their reasons, and every move.
"""

from __future__ import annotations

import datetime
from html import escape

GIB = 1024.0 ** 3

# Result -> bar colour. Anything else (an unknown result) is drawn grey.
RESULT_COLOURS = {
    "completed": "#2e7d32", "done": "#2e7d32", "succeeded": "#2e7d32",
    "failed": "#c62828", "error": "#c62828",
    "aborted": "#ef6c00", "cancelled": "#ef6c00", "stalled": "#ef6c00", "timeout": "#ef6c00",
    "skipped": "#78909c", "not run": "#b0bec5",
}
OTHER_COLOUR = "#607d8b"
BEFORE_COLOUR, AFTER_COLOUR = "#90a4ae", "#1565c0"

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#212121;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e0e0e0;padding-bottom:4px}
p.meta{color:#616161;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid #e0e0e0;border-radius:6px;padding:8px 14px;min-width:120px}
.card .v{font-size:20px;font-weight:600}.card .k{font-size:12px;color:#616161}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #e0e0e0;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}td{white-space:nowrap}td.num{text-align:right}#blocked td:last-child{white-space:normal}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle;border-radius:2px}
svg text{font-size:11px;fill:#424242}svg .lane{fill:#fafafa}svg .grid{stroke:#e0e0e0}
svg text.inbar{fill:#fff}.none{color:#616161;font-style:italic}
code{font-size:12px}
"""


def html_report(report):
    """The page for `report` (a run report dict), as text."""
    title = "%s report%s" % (str(report.get("workflow") or "run").capitalize(),
                             " (run %s)" % report["run_id"] if report.get("run_id") else "")
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        "<title>%s</title><style>%s</style></head><body>" % (_e(title), CSS),
        "<h1>%s</h1>" % _e(title),
    ]
    if report.get("started_at"):
        parts.append('<p class="meta">Started %s, finished %s.</p>' % (
            _e(report["started_at"]), _e(report.get("finished_at") or "-")))
    parts += _totals(report)
    parts += ['<h2 id="timeline-title">Timeline by source host</h2>', _timeline(report.get("moves") or [])]
    parts += ['<h2 id="utilisation-title">Utilisation per host, before and after</h2>',
              _utilisation((report.get("metrics") or {}).get("hosts") or {})]
    parts += ['<h2 id="blocked-title">Blocked instances</h2>', _blocked(report.get("blocked") or [])]
    parts += ['<h2 id="moves-title">Moves</h2>', _moves(report.get("moves") or [])]
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _e(value):
    return escape("" if value is None else str(value), quote=True)


def _colour(result):
    return RESULT_COLOURS.get(str(result).lower(), OTHER_COLOUR)


def _seconds(value):
    return "-" if value is None else "%.1f s" % value


def _totals(report):
    totals = report.get("totals") or {}
    by_result = ", ".join("%d %s" % (count, name) for name, count in sorted((totals.get("by_result") or {}).items()))
    cards = [
        ("moves", totals.get("moves", 0), by_result or "none"),
        ("blocked", totals.get("blocked", 0), "instances left in place"),
        ("GiB moved", "%.1f" % ((totals.get("bytes") or 0) / GIB), "memory and disk copied"),
        ("elapsed", _seconds(totals.get("elapsed_seconds")), "wall clock of the run"),
        ("estimated", _seconds(totals.get("estimated_makespan_seconds")), "the plan's makespan"),
        ("lower bound", _seconds(totals.get("lower_bound_seconds")), "no schedule can be faster"),
    ]
    out = ['<h2 id="totals-title">Totals</h2>', '<div class="cards" id="totals">']
    for key, value, hint in cards:
        out.append('<div class="card" title="%s"><div class="v">%s</div><div class="k">%s</div></div>' % (
            _e(hint), _e(value), _e(key)))
    out.append("</div>")
    out.append(_makespan_chart(totals))
    return out


def _makespan_chart(totals):
    """Three horizontal bars: elapsed, estimate and lower bound on one scale."""
    rows = [(name, totals.get(key)) for name, key in (
        ("elapsed", "elapsed_seconds"), ("estimated", "estimated_makespan_seconds"), ("lower bound", "lower_bound_seconds"))]
    rows = [(name, float(value)) for name, value in rows if isinstance(value, (int, float))]
    if not rows:
        return ""
    width, left, row_h = 560, 90, 20
    longest = max(value for unused_name, value in rows) or 1.0
    out = ['<svg xmlns="http://www.w3.org/2000/svg" id="makespan" role="img" aria-label="makespan" width="%d" height="%d">'
           % (width + left + 70, len(rows) * row_h + 14)]
    for index, (name, value) in enumerate(rows):
        y = 8 + index * row_h
        out.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (left - 6, y + 12, _e(name)))
        out.append('<rect class="span" data-name="%s" x="%d" y="%d" width="%.1f" height="14" fill="%s"/>' % (
            _e(name), left, y, max(1.0, width * value / longest), AFTER_COLOUR if name == "elapsed" else BEFORE_COLOUR))
        out.append('<text x="%.1f" y="%d">%.0f s</text>' % (left + max(1.0, width * value / longest) + 4, y + 12, value))
    out.append("</svg>")
    return "\n".join(out)


def _parse_time(text):
    if not text or not isinstance(text, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def _timed_moves(moves):
    """(move, start offset s, seconds) for every move that ran, offsets from the earliest start."""
    timed = []
    for move in moves:
        start, seconds = _parse_time(move.get("started_at")), move.get("seconds")
        if start is not None and isinstance(seconds, (int, float)):
            timed.append((move, start, max(0.0, float(seconds))))
    if not timed:
        return []
    origin = min(start for unused_move, start, unused_seconds in timed)
    return [(move, (start - origin).total_seconds(), seconds) for move, start, seconds in timed]


def _tick_step(span):
    for step in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400):
        if span / step <= 10:
            return step
    return 28800


def _lanes(timed):
    """Per source host, sub-rows so that overlapping moves of one host do not hide each other."""
    by_source = {}
    for item in sorted(timed, key=lambda item: (item[1], item[0].get("name") or item[0]["instance"])):
        by_source.setdefault(item[0]["source"], []).append(item)
    lanes = []
    for source in sorted(by_source):
        rows, ends = [], []
        for item in by_source[source]:
            for index, end in enumerate(ends):
                if item[1] >= end - 1e-9:
                    rows[index].append(item)
                    ends[index] = item[1] + item[2]
                    break
            else:
                rows.append([item])
                ends.append(item[1] + item[2])
        lanes.append((source, rows))
    return lanes


def _timeline(moves):
    timed = _timed_moves(moves)
    if not timed:
        return '<p class="none" id="timeline">No move ran, nothing to draw.</p>'
    span = max(offset + seconds for unused_move, offset, seconds in timed) or 1.0
    left, width, row_h, top = 150, 760, 18, 22
    scale = width / span
    lanes = _lanes(timed)
    height = top + sum(len(rows) * row_h + 8 for unused_source, rows in lanes) + 10
    out = ['<svg xmlns="http://www.w3.org/2000/svg" id="timeline" role="img" aria-label="timeline of the moves" '
           'width="%d" height="%d">' % (left + width + 20, height)]
    step = _tick_step(span)
    tick = 0
    while tick <= span + 1e-9:
        x = left + tick * scale
        out.append('<line class="grid" x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>' % (x, top - 4, x, height - 6))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s s</text>' % (x, top - 8, tick))
        tick += step
    y = top
    for source, rows in lanes:
        lane_h = len(rows) * row_h
        out.append('<rect class="lane" x="0" y="%d" width="%d" height="%d"/>' % (y - 2, left + width + 20, lane_h + 4))
        out.append('<text class="host" x="%d" y="%d" text-anchor="end">%s</text>' % (
            left - 8, y + lane_h // 2 + 4, _e(source)))
        for row_index, row in enumerate(rows):
            for move, offset, seconds in row:
                name = move.get("name") or move["instance"]
                bar_x, bar_w = left + offset * scale, max(2.0, seconds * scale)
                bar_y = y + row_index * row_h
                tip = "%s: %s to %s, %s, %.1f s, %.2f GiB, %s" % (
                    name, source, move.get("target") or "-", move.get("type"), seconds, (move.get("bytes") or 0) / GIB,
                    move.get("result"))
                out.append('<rect class="bar" data-instance="%s" data-result="%s" x="%.1f" y="%d" width="%.1f" '
                           'height="%d" rx="2" fill="%s"><title>%s</title></rect>' % (
                               _e(move["instance"]), _e(move.get("result")), bar_x, bar_y, bar_w, row_h - 4,
                               _colour(move.get("result")), _e(tip)))
                if bar_w > 7 * len(name):
                    out.append('<text class="inbar" x="%.1f" y="%d">%s</text>' % (bar_x + 4, bar_y + row_h - 8, _e(name)))
        y += lane_h + 8
    out.append("</svg>")
    results = sorted({str(move.get("result")) for move, unused_offset, unused_seconds in timed})
    legend = "".join('<span><i style="background:%s"></i>%s</span>' % (_colour(result), _e(result)) for result in results)
    untimed = len(moves) - len(timed)
    note = '<p class="none">%d planned move(s) did not run and have no bar.</p>' % untimed if untimed else ""
    return "\n".join(out) + '\n<div class="legend">%s</div>%s' % (legend, note)


def _utilisation(hosts):
    if not hosts:
        return '<p class="none" id="utilisation">The plan carries no per-host utilisation.</p>'
    left, width, bar_h, group_gap = 150, 300, 9, 10
    names = sorted(hosts)
    group_h = 4 * bar_h + group_gap
    height = 30 + len(names) * group_h
    out = ['<svg xmlns="http://www.w3.org/2000/svg" id="utilisation" role="img" aria-label="utilisation before and after" '
           'width="%d" height="%d">' % (left + 2 * (width + 40) + 20, height)]
    for column, metric in enumerate(("cpu", "ram")):
        x0 = left + column * (width + 40)
        out.append('<text x="%d" y="12">%s (0 to 100 %%)</text>' % (x0, metric.upper()))
        for fraction in (0.0, 0.5, 1.0):
            x = x0 + fraction * width
            out.append('<line class="grid" x1="%.1f" y1="18" x2="%.1f" y2="%d"/>' % (x, x, height - 4))
    for index, name in enumerate(names):
        y = 22 + index * group_h
        out.append('<text class="host" x="%d" y="%d" text-anchor="end">%s</text>' % (left - 8, y + 2 * bar_h + 3, _e(name)))
        for column, metric in enumerate(("cpu", "ram")):
            x0 = left + column * (width + 40)
            for row, when in enumerate(("before", "after")):
                value = _fraction(((hosts[name] or {}).get(when) or {}).get(metric))
                bar_y = y + row * (bar_h + 2) + (bar_h if row else 0) // 2
                out.append('<rect class="util" data-host="%s" data-metric="%s" data-when="%s" x="%d" y="%d" width="%.1f" '
                           'height="%d" fill="%s"><title>%s %s %s: %.0f %%</title></rect>' % (
                               _e(name), metric, when, x0, bar_y, min(1.0, value) * width, bar_h,
                               BEFORE_COLOUR if when == "before" else AFTER_COLOUR, _e(name), metric, when, value * 100))
                out.append('<text x="%.1f" y="%d">%.0f%%</text>' % (x0 + min(1.0, value) * width + 4, bar_y + bar_h - 1,
                                                                    value * 100))
    out.append("</svg>")
    legend = ('<div class="legend"><span><i style="background:%s"></i>before</span>'
              '<span><i style="background:%s"></i>after</span></div>' % (BEFORE_COLOUR, AFTER_COLOUR))
    return "\n".join(out) + "\n" + legend


def _fraction(value):
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return 0.0


def _blocked(blocked):
    if not blocked:
        return '<p class="none" id="blocked">Every instance could move.</p>'
    out = ['<table id="blocked"><thead><tr><th>instance</th><th>source</th><th>reasons</th></tr></thead><tbody>']
    for entry in blocked:
        reasons = "<br/>".join("<code>%s</code> %s: %s" % (
            _e(reason.get("code")), _e(reason.get("severity")), _e(reason.get("message"))) for reason in entry.get("reasons") or [])
        out.append('<tr class="blocked"><td>%s</td><td>%s</td><td>%s</td></tr>' % (
            _e(entry.get("name") or entry.get("instance")), _e(entry.get("source") or "-"), reasons or "-"))
    out.append("</tbody></table>")
    return "\n".join(out)


def _moves(moves):
    if not moves:
        return '<p class="none" id="moves">The plan has no move.</p>'
    out = ['<table id="moves"><thead><tr><th>server</th><th>source</th><th>target</th><th>type</th><th>start</th>'
           '<th>seconds</th><th>estimated s</th><th>GiB</th><th>result</th><th>reason codes</th></tr></thead><tbody>']
    for move in moves:
        out.append("<tr>%s</tr>" % "".join((
            "<td>%s</td>" % _e(move.get("name") or move.get("instance")), "<td>%s</td>" % _e(move.get("source")),
            "<td>%s</td>" % _e(move.get("target") or "-"), "<td>%s</td>" % _e(move.get("type")),
            "<td>%s</td>" % _e(move.get("started_at") or "-"),
            '<td class="num">%s</td>' % ("-" if move.get("seconds") is None else "%.1f" % move["seconds"]),
            '<td class="num">%s</td>' % ("-" if move.get("estimated_seconds") is None else "%.1f" % move["estimated_seconds"]),
            '<td class="num">%.2f</td>' % ((move.get("bytes") or 0) / GIB),
            '<td><i style="background:%s;display:inline-block;width:10px;height:10px"></i> %s</td>' % (
                _colour(move.get("result")), _e(move.get("result"))),
            "<td>%s</td>" % _e(", ".join(move.get("reason_codes") or []) or "-"))))
    out.append("</tbody></table>")
    return "\n".join(out)
