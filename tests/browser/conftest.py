"""Browser tests: Debian's Chromium, driven by Playwright, against the app on a live server.

Everything here is marked `browser`. Chromium and Java are required, not optional: when one
is missing the tests fail with a message saying what to install (CI installs both), so a
broken setup never passes as "skipped".

Helpers for the tests:
  axe_violations(page)   axe-core's WCAG 2.2 A/AA violations on the loaded page
  vnu_errors(html_by_name)  the Nu Html Checker's errors for several documents, in one JVM
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response, expect

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _require(ok: bool, message: str) -> None:
    if not ok:
        pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    _require(os.access(CHROMIUM, os.X_OK),
             f"The browser tests need Debian's Chromium at {CHROMIUM}: "
             "apt-get install chromium (do not run `playwright install`).")
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync"]}


CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (event) => {
  console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + event.blockedURI
                + ' at ' + event.sourceFile + ':' + event.lineNumber);
});
"""


def watch_csp(context) -> list[str]:
    """Collect every Content-Security-Policy violation on any page the context loads."""
    violations: list[str] = []
    context.add_init_script(CSP_LISTENER)

    def listen(message) -> None:
        text = message.text
        if text.startswith("CSP violation") or "Content Security Policy" in text:
            violations.append(f"{message.page.url if message.page else '?'}: {text}")
    context.on("console", listen)
    return violations


@pytest.fixture
def context(context):
    """Every journey's browser context (the site's Content-Security-Policy enforced) fails
    its test on a single CSP violation, so an inline script or style that slips into a
    template is caught on the journey that shows it."""
    violations = watch_csp(context)
    yield context
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture(scope="session")
def base_url(live_server):
    """page.goto("/login") and friends resolve against the live server."""
    return live_server


def axe_violations(page) -> list[dict]:
    """axe-core's violations of WCAG 2.0/2.1/2.2 A and AA on the page as it is now.

    The script is added as an inline <script>, which the site's Content-Security-Policy
    forbids: use a context made with bypass_csp=True.
    """
    _require(AXE_JS.is_file(), f"axe-core is missing ({AXE_JS}): run `npm ci`.")
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                          summary: n.failureSummary || ''})),
            }));
        }""",
        AXE_TAGS)
    return result


def vnu_errors(html_by_name: dict[str, str]) -> list[str]:
    """The Nu Html Checker's errors, as "name:line.col: message" lines, for every document.

    All documents are checked by one Java process: the JVM takes a second or two to start.
    """
    _require(shutil.which("java") is not None,
             "The HTML checks need Java to run vnu.jar: apt-get install default-jre-headless.")
    _require(VNU_JAR.is_file(), f"vnu.jar is missing ({VNU_JAR}): run `npm ci`.")
    if not html_by_name:
        return []
    with tempfile.TemporaryDirectory(prefix="vnu-") as tmp:
        files = {}
        for i, (name, html) in enumerate(html_by_name.items()):
            path = Path(tmp) / f"{i:02d}-{_safe_name(name)}.html"
            path.write_text(html, encoding="utf-8")
            files[path.name] = name
        run = subprocess.run(
            ["java", "-jar", str(VNU_JAR), "--format", "gnu", "--errors-only",
             *(str(Path(tmp) / f) for f in files)],
            capture_output=True, text=True, timeout=120)
    lines = [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]
    if run.returncode not in (0, 1) or (run.returncode == 1 and not lines):
        pytest.fail(f"vnu.jar did not run (exit {run.returncode}): {run.stderr}",
                    pytrace=False)
    errors = []
    for line in lines:
        for file_name, name in files.items():
            if file_name in line:
                line = f"{name}:{line.split(file_name, 1)[1].lstrip(chr(34)).lstrip(':')}"
                break
        errors.append(line)
    return errors


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)


SCREENSHOTS = ROOT / "screenshots"  # pytest-playwright empties test-results/ at each run
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}


def log_in(page: Page, login: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address or display name").fill(login)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged in as")


def loaded_width(img) -> int:
    """The natural width of an <img> once the browser has loaded it, 0 if it failed to load.
    Visible is not loaded: reading naturalWidth straight away races the download."""
    return img.evaluate(
        """img => img.complete ? img.naturalWidth : new Promise(done => {
            img.addEventListener("load", () => done(img.naturalWidth));
            img.addEventListener("error", () => done(0));
        })"""
    )


class Checker:
    """Loads pages, runs axe on each at both widths, keeps the HTML for one vnu run."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.html: dict[str, str] = {}
        self.problems: list[str] = []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def visit(self, name: str, path: str, status: int = 200) -> None:
        self.check(name, self.page.goto(path), status)

    def check(self, name: str, response: Response | None, status: int = 200) -> None:
        assert response is not None, f"{name}: no response"
        assert response.status == status, f"{name}: HTTP {response.status}, expected {status}"
        self.html[name] = response.text()
        self.audit(name)

    def here(self, name: str) -> None:
        """The page as it is now (after a click or a form sent): its HTML kept for vnu, axe
        run at both widths.

        A click that sends a form returns once the answer's navigation has committed, when
        the new document may still be empty; wait for it to load before reading it."""
        self.page.wait_for_load_state("load")
        self.html[name] = self.page.content()
        self.audit(name)

    def audit(self, name: str) -> None:
        for label, (width, height) in WIDTHS.items():
            self.page.set_viewport_size({"width": width, "height": height})
            self.page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
            for violation in axe_violations(self.page):
                for node in violation["nodes"]:
                    self.problems.append(
                        f"{name} ({label}): axe {violation['id']} [{violation['impact']}] "
                        f"{violation['help']} at {node['target']}\n      {node['summary']}")
        self.page.set_viewport_size({"width": 1280, "height": 800})
