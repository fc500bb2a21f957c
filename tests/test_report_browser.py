"""The HTML audit report in a real browser (headless Chromium).

What a person would see when opening the report: no script from user text runs, no element
is injected, no request leaves the page, and it renders (a screenshot is saved in the test's
tmp dir). Needs Chromium (Debian's ``chromium`` package in CI; ``QMSTRACK_CHROMIUM`` may
name another binary); the tests are skipped only when no Chromium can be found.

Three ways of looking, no extra Python packages:
- ``--dump-dom``: the DOM after the page loaded (and any script would have run);
- ``--screenshot``: the rendered page as PNG;
- the DevTools protocol over ``--remote-debugging-pipe`` (NUL-separated JSON on fds 3/4):
  every request the page itself made, without the browser's own background traffic.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import struct
import subprocess
import time
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

TIMEOUT = 60
SCRIPT = "<script>document.title='PWNED'</script>"
IMG = '"><img src=x onerror="document.title=\'PWNED\'">'
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
]


def find_chromium() -> str | None:
    configured = os.environ.get("QMSTRACK_CHROMIUM")
    if configured and Path(configured).is_file():
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return found


def run_chromium(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=TIMEOUT)


# --- the report --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The Indonesian HTML report of the demo audit of October 2026, with hostile user text
    in the office name, the lead auditor, an audit note, evidence and a finding."""
    from qmstrack.audit_programme import default_checklist
    from qmstrack.audit_report import write_audit_reports
    from qmstrack.audits import Answer, answer_item, run_audit
    from qmstrack.db import open_db, set_setting, writing
    from qmstrack.demo import fill_demo
    from qmstrack.findings import raise_finding
    from qmstrack.metrics import Period

    base = tmp_path_factory.mktemp("browser")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_DATA_HOME", str(base / "xdg"))
        mp.setenv("HOME", str(base / "home"))
        db = open_db(base / "demo.db", create=True)
        fill_demo(db, seed=1)
        run = run_audit(db, Period(date(2026, 10, 1), date(2026, 10, 31)), [],
                        default_checklist(db), auditor=f"Ir. Sri Wahyuni {SCRIPT}",
                        today=date(2026, 11, 3))
        answer_item(db, run.audit_id, "7.2-a",
                    Answer("minor", f"No training record.\n{SCRIPT}\n{IMG}",
                           f"Register 2026\n{IMG}"), today=date(2026, 11, 3))
        raise_finding(db, clause_ref="8.5.1", grade="major", description=f"Fee {IMG} {SCRIPT}",
                      raised_on=date(2026, 11, 3), audit_id=run.audit_id, ref_no="F-2026-900")
        with writing(db):
            set_setting(db, "org_name", f"Dinas Pendidikan {IMG}")
        paths = write_audit_reports(db, run.audit_id, base / "out", formats=("html",),
                                    lang="id", today=date(2026, 11, 24))
        db.close()
    return paths[0]


class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.title = ""
        self._title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "title" and not self.title and "svg" not in (t for t, _ in self.tags):
            self._title = True

    def handle_endtag(self, tag):
        self._title = False if tag == "title" else self._title

    def handle_data(self, data):
        if self._title:
            self.title += data


def dump_dom(chromium: str, profile: Path, url: str) -> Dom:
    result = run_chromium(chromium, profile, "--virtual-time-budget=3000", "--dump-dom", url)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "<html" in result.stdout, result.stderr[-2000:]
    dom = Dom()
    dom.feed(result.stdout)
    dom.text = result.stdout  # type: ignore[attr-defined]
    return dom


# --- DevTools protocol over a pipe ------------------------------------------------------------


class PipeBrowser:
    """A minimal DevTools client: Chromium reads commands on fd 3, answers on fd 4."""

    def __init__(self, chromium: str, profile: Path):
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_fds():  # runs in the child before exec: put the pipe ends on fds 3 and 4
            # (copies first, in case a pipe end already sits on 3 or 4). dup2 makes them
            # inheritable; every other descriptor Python opened is close-on-exec.
            a, b = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire_fds, close_fds=False)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                assert "error" not in reply, reply
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, seconds: float = TIMEOUT) -> dict:
        deadline = time.monotonic() + seconds
        for event in self.events:
            if event.get("method") == method:
                return event
        while time.monotonic() < deadline:
            event = self._read(deadline - time.monotonic())
            self.events.append(event)
            if event.get("method") == method:
                return event
        raise TimeoutError(method)

    def drain(self, seconds: float) -> None:
        """Collect events for a while (late requests, timers)."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                self.events.append(self._read(left))
            except TimeoutError:
                return

    def _read(self, seconds: float = TIMEOUT) -> dict:
        deadline = time.monotonic() + seconds
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self._from_browser, 65536)
            if not chunk:
                raise EOFError("Chromium closed the pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (OSError, EOFError, TimeoutError, AssertionError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        os.close(self._to_browser)
        os.close(self._from_browser)


def page_requests(chromium: str, profile: Path, url: str) -> tuple[list[str], str]:
    """Every URL the page requested while loading (and for two seconds after), and the
    document title at the end."""
    browser = PipeBrowser(chromium, profile)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget",
                               {"targetId": target, "flatten": True})["sessionId"]
        browser.send("Network.enable", session=session)
        browser.send("Page.enable", session=session)
        browser.send("Page.navigate", {"url": url}, session=session)
        browser.wait_for("Page.loadEventFired")
        browser.drain(2.0)
        title = browser.send("Runtime.evaluate", {"expression": "document.title",
                                                  "returnByValue": True},
                             session=session)["result"]["value"]
        urls = [e["params"]["request"]["url"] for e in browser.events
                if e.get("method") == "Network.requestWillBeSent"
                and e.get("sessionId") == session]
        return urls, title
    finally:
        browser.close()


# --- tests ------------------------------------------------------------------------------------


def test_no_script_from_user_text_runs(chromium, report, tmp_path):
    # The harness can see a script run: a page without CSP whose script sets the title.
    control = tmp_path / "control.html"
    control.write_text(f"<!DOCTYPE html><html><head><title>ok</title></head><body>{SCRIPT}"
                       "</body></html>", encoding="utf-8")
    assert dump_dom(chromium, tmp_path / "p0", control.as_uri()).title == "PWNED"

    dom = dump_dom(chromium, tmp_path / "p1", report.as_uri())
    assert dom.title.startswith("Laporan Audit Internal")
    assert "PWNED" != dom.title.strip()
    tags = [t for t, _ in dom.tags]
    assert "script" not in tags and "img" not in tags
    assert not [a for _, a in dom.tags if any(k.startswith("on") for k in a)]
    # The hostile text is still there, as text.
    assert "&lt;script&gt;document.title='PWNED'&lt;/script&gt;" in dom.text
    assert "&lt;img src=x onerror=" in dom.text
    assert "Lembar Pengesahan" in dom.text


def test_csp_stops_scripts_even_if_escaping_failed(chromium, report, tmp_path):
    """Defence in depth: a copy of the report with a real script injected into its body."""
    html = report.read_text(encoding="utf-8").replace("<main>", f"<main>{SCRIPT}", 1)
    broken = tmp_path / "broken.html"
    broken.write_text(html, encoding="utf-8")
    dom = dump_dom(chromium, tmp_path / "p", broken.as_uri())
    assert dom.title.startswith("Laporan Audit Internal")


def test_no_request_leaves_the_page(chromium, report, tmp_path):
    # Static: no URL to another place in any attribute that loads or links something.
    class Links(HTMLParser):
        found: list[str] = []

        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                if name in ("src", "href", "srcset", "action", "xlink:href", "poster", "data"):
                    self.found.append(value or "")

    links = Links()
    links.found = []
    html = report.read_text(encoding="utf-8")
    links.feed(html)
    assert all(v.startswith("#") for v in links.found), links.found
    assert not any(v.lower().startswith(("http:", "https:", "//")) for v in links.found)
    assert "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"" in html

    # The harness sees a request when a page makes one...
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><html><body><img src="http://qmstrack-test.invalid/x.png">'
                       "</body></html>", encoding="utf-8")
    urls, _ = page_requests(chromium, tmp_path / "p0", control.as_uri())
    assert any(u.startswith("http://qmstrack-test.invalid/") for u in urls), urls

    # ...and the report makes none but loading itself.
    urls, title = page_requests(chromium, tmp_path / "p1", report.as_uri())
    assert urls == [report.as_uri()], urls
    assert title.startswith("Laporan Audit Internal")


def test_screenshot(chromium, report, tmp_path):
    shot = tmp_path / "report.png"
    result = run_chromium(chromium, tmp_path / "p", f"--screenshot={shot}",
                          "--window-size=1280,2000", report.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    assert len(data) > 50_000  # a rendered page, not a blank one
