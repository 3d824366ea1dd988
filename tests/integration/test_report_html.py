"""The HTML run report in a real browser: headless Chromium loads the page from a file, and the DOM it
built has one timeline bar per moved server, the utilisation bars and the blocked table, with no
console error (a page with an invalid SVG attribute proves such errors are caught). A screenshot is
kept in the test's temporary directory for a human look."""

import os
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from ansible_collections.vmops.migration.plugins.module_utils.report_html import html_report
from tests.unit.report_samples import drain_report

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(not BROWSER, reason="Debian package chromium not installed (./run.sh setup installs it)")


def _run_browser(tmp_path, page_name, *actions):
    """Run headless Chromium on one local page; returns (stdout, console lines from stderr)."""
    profile = tmp_path / ("profile-" + page_name.replace(".", "-"))
    profile.mkdir()
    command = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=%s" % profile,
               "--enable-logging=stderr", "--v=0", "--hide-scrollbars", "--window-size=1200,1500"]
    command += list(actions) + ["file://%s" % (tmp_path / page_name)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


class _Dom(HTMLParser):
    """Elements of the DOM Chromium dumped: (tag, attributes) in document order."""

    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def find(self, tag, **wanted):
        return [attrs for name, attrs in self.elements
                if name == tag and all(attrs.get(key.replace("_", "-")) == value for key, value in wanted.items())]


@pytest.fixture(name="report")
def report_fixture():
    return drain_report()


def test_browser_renders_every_part_without_console_errors(tmp_path, report):
    (tmp_path / "report.html").write_text(html_report(report), encoding="utf-8")
    dom_text, console = _run_browser(tmp_path, "report.html", "--dump-dom")
    assert console == []
    dom = _Dom()
    dom.feed(dom_text)
    moved = {move["instance"] for move in report["moves"] if move["started_at"]}
    bars = dom.find("rect", **{"class": "bar"})
    assert len(bars) == len(moved) and {bar["data-instance"] for bar in bars} == moved
    assert len(dom.find("rect", **{"class": "util"})) == 4 * len(report["metrics"]["hosts"])
    assert dom.find("table", id="blocked") and len(dom.find("tr", **{"class": "blocked"})) == len(report["blocked"])
    assert dom.find("svg", id="timeline") and dom.find("div", id="totals")
    assert not dom.find("script") and not dom.find("link")


def test_console_errors_would_be_seen(tmp_path):
    (tmp_path / "broken.html").write_text(
        '<!DOCTYPE html><html><body><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<rect class="bar" width="-5" height="3"/></svg></body></html>', encoding="utf-8")
    _, console = _run_browser(tmp_path, "broken.html", "--dump-dom")
    assert any("negative value" in line for line in console), console


def test_screenshot(tmp_path, report):
    (tmp_path / "report.html").write_text(html_report(report), encoding="utf-8")
    shot = tmp_path / "report.png"
    _, console = _run_browser(tmp_path, "report.html", "--screenshot=%s" % shot)
    assert console == []
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000
    keep = os.environ.get("VMOPS_SCREENSHOT")
    if keep:
        shutil.copy(str(shot), keep)
