"""The HTML page of a run report: well-formed, self-contained, one bar per move that ran, names escaped."""

import copy
import re
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.vmops.migration.plugins.filter.migration import FilterModule
from ansible_collections.vmops.migration.plugins.module_utils.report_html import html_report
from tests.unit.report_samples import TRICKY_NAME, drain_report

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(name="report")
def report_fixture():
    return drain_report()


def _tree(page):
    return ET.fromstring(page.split("\n", 1)[1])  # after the DOCTYPE line


def _elements(root, tag, cls):
    return [element for element in root.iter(tag) if element.get("class") == cls]


def test_page_is_well_formed_xml_with_every_section(report):
    page = html_report(report)
    assert page.startswith("<!DOCTYPE html>\n")
    root = _tree(page)
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    assert {"totals", "makespan", "timeline", "utilisation", "blocked", "moves"} <= ids


def test_one_bar_per_move_that_ran_coloured_by_result(report):
    root = _tree(html_report(report))
    bars = _elements(root, SVG + "rect", "bar")
    ran = [move for move in report["moves"] if move["started_at"]]
    assert len(ran) == 5 and len(report["moves"]) == 6
    assert sorted(rect.get("data-instance") for rect in bars) == sorted(move["instance"] for move in ran)
    colours = {rect.get("data-result"): rect.get("fill") for rect in bars}
    assert colours["completed"] != colours["failed"]


def test_bar_lengths_follow_the_seconds(report):
    root = _tree(html_report(report))
    widths = {rect.get("data-instance"): float(rect.get("width")) for rect in _elements(root, SVG + "rect", "bar")}
    seconds = {move["instance"]: move["seconds"] for move in report["moves"] if move["seconds"]}
    ratios = [widths[name] / seconds[name] for name in widths]
    assert max(ratios) == pytest.approx(min(ratios), rel=0.01)


def test_overlapping_moves_of_one_host_get_their_own_row(report):
    root = _tree(html_report(report))
    rows = {}
    for rect in _elements(root, SVG + "rect", "bar"):
        rows.setdefault(rect.get("y"), []).append(rect)
    for bars in rows.values():
        spans = sorted((float(rect.get("x")), float(rect.get("x")) + float(rect.get("width"))) for rect in bars)
        assert all(left[1] <= right[0] + 1e-6 for left, right in zip(spans, spans[1:]))


def test_utilisation_bars_before_and_after_for_every_host(report):
    root = _tree(html_report(report))
    bars = _elements(root, SVG + "rect", "util")
    assert len(bars) == 4 * len(report["metrics"]["hosts"])
    drained = [rect for rect in bars if rect.get("data-host") == "compute-1" and rect.get("data-when") == "after"]
    assert drained and all(float(rect.get("width")) == 0.0 for rect in drained)


def test_blocked_instances_are_listed_with_their_reasons(report):
    root = _tree(html_report(report))
    rows = _elements(root, "tr", "blocked")
    assert len(rows) == 1
    text = "".join(rows[0].itertext())
    assert "vm-pci" in text and "PCI_PASSTHROUGH" in text


def test_names_and_messages_are_escaped(report):
    page = html_report(report)
    assert TRICKY_NAME not in page and "gpu <vm>" not in page
    assert "db&lt;1&gt; &amp; &quot;quoted&quot;" in page and "gpu &lt;vm&gt;" in page
    texts = "".join(_tree(page).itertext())
    assert TRICKY_NAME in texts and "gpu <vm>" in texts


def test_page_is_self_contained(report):
    page = html_report(report)
    assert "<script" not in page.lower() and "<link" not in page.lower()
    # the only URL is the SVG namespace name, which no browser fetches
    assert set(re.findall(r"https?://[^\"'\s<>]+", page)) == {"http://www.w3.org/2000/svg"}
    assert "url(" not in page and "@import" not in page


def test_a_plan_that_never_ran_still_renders(report):
    empty = copy.deepcopy(report)
    for move in empty["moves"]:
        move.update(started_at=None, seconds=None, result="not run")
    empty["blocked"], empty["metrics"] = [], {}
    root = _tree(html_report(empty))
    assert not _elements(root, SVG + "rect", "bar")
    assert "No move ran" in "".join(root.itertext())


def test_filter_returns_html(report):
    page = FilterModule().filters()["migration_report"](report, format="html")
    assert page == html_report(report)
