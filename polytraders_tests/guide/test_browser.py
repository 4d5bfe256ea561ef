"""The dev guide in a real browser: Debian's chromium, headless, driven by Playwright.

Builds the real site (``collect_data()``), serves it on 127.0.0.1 (a free port) in a thread, and
for every page checks: it loads with status 200 and no console error, page error or failed
request; its health strip shows the readiness counts of the data. The status page's counts equal
the manifest; every link on every page answers 200 and every ``#fragment`` names an element of
its target. A full-page screenshot of the plan is saved to ``test-artifacts/plan.png``.

The browser is ``/usr/bin/chromium`` (``make browser`` installs it); Playwright never downloads one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest

from polytraders.bots.manifest import BOTS
from polytraders.guide.build import build_site
from polytraders.guide.data import GuideData, collect_data
from polytraders.guide.serve import serve_in_thread

CHROMIUM = Path("/usr/bin/chromium")
REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
#: The flags this machine needs (its network is closed: no background or component traffic).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
CLASS_COUNTS = {"intel": 17, "disc": 6, "strat": 24, "risk": 19, "exec": 15, "sec": 9, "gov": 19}
PHASE_COUNTS = {"P1": 0, "P2": 26, "P3": 6, "P4": 17, "P5": 24, "P6": 1, "P7": 12, "P8": 23}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("guide-browser"),  # one worker: one site build, one browser
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} absent: `make browser` installs Debian's chromium"),
]


@pytest.fixture(scope="module")
def guide(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, GuideData]]:
    data = collect_data()
    site = tmp_path_factory.mktemp("guide") / "site"
    build_site(data, site)
    server, thread = serve_in_thread(site, port=0)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", data
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - a playwright BrowserContext
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # a fresh, empty user-data-dir
            executable_path=str(CHROMIUM),
            headless=True,  # Playwright adds --headless
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


class _Watched:
    """A page with every console error, page error and failed request recorded."""

    def __init__(self, context) -> None:  # noqa: ANN001
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url} {r.failure}"))
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status}: {r.url}"))

    def visit(self, url: str) -> None:
        self.errors.clear()
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, url
        assert self.errors == [], f"{url}: {self.errors}"


def _pages(base: str) -> list[str]:
    top = ["index.html", "plan.html", "status.html", "schemas.html", "done.html"]
    return [urljoin(base, p) for p in top] + [urljoin(base, f"bots/{spec.slug}.html") for spec in BOTS]


def _cells(page, attribute: str) -> dict[str, int]:  # noqa: ANN001
    return {
        el.get_attribute(attribute): int(el.inner_text())
        for el in page.locator(f"[{attribute}]").all()
    }


def test_guide_when_served_then_every_page_loads_clean_and_every_link_resolves(guide, browser_context) -> None:  # noqa: ANN001
    base, data = guide
    watched = _Watched(browser_context)
    expected_counts = data.readiness_counts()
    assert sum(expected_counts.values()) == 109
    links: dict[str, str] = {}
    fragments: set[tuple[str, str]] = set()
    for url in _pages(base):
        watched.visit(url)
        assert _cells(watched.page, "data-readiness") == expected_counts, url
        for href in watched.page.locator("a[href]").evaluate_all("els => els.map(e => e.href)"):
            assert href.startswith(base), f"{url}: link leaves the site: {href}"
            target, fragment = urldefrag(href)
            links.setdefault(target, url)
            if fragment:
                fragments.add((target, fragment))
    assert len(links) >= 5 + 109
    for target, source in sorted(links.items()):
        response = browser_context.request.get(target)
        assert response.status == 200, f"{source} links to {target}: HTTP {response.status}"
    for target, fragment in sorted(fragments):
        watched.visit(target)
        assert watched.page.locator(f"[id='{fragment}']").count() == 1, f"{target}#{fragment}"
    watched.page.close()


def test_status_when_shown_then_counts_equal_the_manifest(guide, browser_context) -> None:  # noqa: ANN001
    base, _data = guide
    watched = _Watched(browser_context)
    watched.visit(urljoin(base, "status.html"))
    assert _cells(watched.page, "data-class") == CLASS_COUNTS
    assert _cells(watched.page, "data-phase") == PHASE_COUNTS
    assert watched.page.locator("[data-total=bots]").inner_text() == "109"
    assert watched.page.locator("#by-bot ~ table tbody tr").count() == 109
    watched.page.close()


def test_nav_when_clicked_then_each_page_opens_and_the_plan_screenshot_is_saved(guide, browser_context) -> None:  # noqa: ANN001
    base, data = guide
    watched = _Watched(browser_context)
    watched.visit(urljoin(base, "index.html"))
    for title, file in (("Status", "status.html"), ("Schemas", "schemas.html"), ("Definition of done", "done.html"),
                        ("Plan", "plan.html")):
        watched.page.locator("header nav").get_by_role("link", name=title, exact=True).click()
        watched.page.wait_for_load_state("load")
        assert watched.page.url == urljoin(base, file)
        assert watched.errors == []
    assert watched.page.locator("[data-gate]").count() == 8
    assert watched.page.locator("#current-phase").inner_text() == f"P{data.current_phase}"
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "plan.png"
    watched.page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    watched.page.close()
