"""The listening page in a real browser: keyboard only, playback, axe-core, themes, a phone.

Runs the app on a loopback port with werkzeug's server in a thread and drives
Debian's /usr/bin/chromium (headless) with Playwright. Playwright's own browser
download is not used. A screenshot is left in tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from content import guide
from skill.web.app import create_app
from tests.test_page import make_audio_dir

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium "
                       "(apt-get install chromium; .ci/run installs it)"),
]

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app with a small built audio directory, served on a free loopback port."""
    from werkzeug.serving import make_server

    root = tmp_path_factory.mktemp("page-server")
    audio = root / "audio"
    audio.mkdir()
    make_audio_dir(audio, seconds=3.0)
    app = create_app(verify=False, data_dir=root, audio_dir=audio)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="page-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium with a fresh profile: launch() gives every browser its own temporary user-data-dir."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url)
    tab = context.new_page()
    tab.set_default_timeout(5000)
    try:
        yield tab
    finally:
        context.close()


def focused(page: Any) -> dict[str, str]:
    """What has keyboard focus: a shadow DOM control of a player counts as the player."""
    return page.evaluate("""() => {
        const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), id: e.id || '', cls: e.className || '',
                href: e.getAttribute('href') || '', text: (e.textContent || '').trim().slice(0, 60),
                speed: e.getAttribute('data-speed') || '',
                visibleFocus: e.matches(':focus-visible') || e.matches(':focus-within')};
    }""")


def run_axe(page: Any, label: str) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated, not added as an inline <script>: the page's CSP (rightly) blocks that.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}));
        }""",
        AXE_TAGS,
    )
    if violations:
        print(f"axe violations ({label}):\n" + json.dumps(violations, indent=2))
    return violations


def test_keyboard_only_reaches_every_player_and_download(page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["cls"] == "skip-link" and first["href"] == "#main", first
    assert page.evaluate("() => document.querySelector('.skip-link').getBoundingClientRect().top >= 0")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"

    reached: list[dict[str, str]] = []
    for _ in range(250):
        page.keyboard.press("Tab")
        now = focused(page)
        if now["tag"] == "body":
            break
        reached.append(now)
        if now["href"] == "#main" and now["cls"] != "skip-link":  # the footer's last link
            break
    ids = {item["id"] for item in reached}
    for section in guide().sections:
        assert f"audio-{section.id}" in ids, f"Tab never reached the player of {section.id}"
        assert f"download-{section.id}" in ids, f"Tab never reached the download of {section.id}"
    for download in ("audio-whole", "download-whole", "download-playlist", "download-feed",
                     "download-zip"):
        assert download in ids, f"Tab never reached {download}"
    players = len(guide().sections) + 1  # and the whole guide
    speeds = [item for item in reached if item["speed"]]
    assert len(speeds) == 4 * players, "every player has four speed buttons"
    unseen = [item for item in reached if not item["visibleFocus"]]
    assert not unseen, f"focus not visible on {unseen}"


def test_speed_buttons_and_playback(page: Any) -> None:
    page.goto("/")
    first = guide().sections[0].id
    player = f"#audio-{first}"
    fast = page.locator(f"{player} + .speed button[data-speed='1.5']")
    normal = page.locator(f"{player} + .speed button[data-speed='1']")
    assert normal.get_attribute("aria-pressed") == "true"
    assert page.locator(f"{player} + .speed").get_attribute("role") == "group"
    fast.focus()
    page.keyboard.press("Space")
    assert fast.get_attribute("aria-pressed") == "true"
    assert normal.get_attribute("aria-pressed") == "false"
    assert page.eval_on_selector(player, "a => a.playbackRate") == 1.5

    page.eval_on_selector(player, "a => a.play()")
    page.wait_for_function(
        "s => { const a = document.querySelector(s); return a.readyState >= 2 && a.duration > 0; }",
        arg=player)
    page.wait_for_function("s => document.querySelector(s).currentTime > 0.3", arg=player)
    duration = page.eval_on_selector(player, "a => a.duration")
    assert 2.5 < duration < 3.5
    page.eval_on_selector(player, "a => a.pause()")


def test_starting_one_player_pauses_the_other(page: Any) -> None:
    page.goto("/")
    first, second = (f"#audio-{s.id}" for s in guide().sections[:2])
    page.eval_on_selector(first, "a => a.play()")
    page.wait_for_function("s => document.querySelector(s).currentTime > 0.1", arg=first)
    states = page.evaluate("""async ([a, b]) => {
        const one = document.querySelector(a), two = document.querySelector(b);
        await two.play();
        return {first: one.paused && !one.ended, second: !two.paused};
    }""", [first, second])
    assert states == {"first": True, "second": True}  # the first paused, the second plays
    page.eval_on_selector(second, "a => a.pause()")


def test_speed_buttons_say_their_speed_in_words(page: Any) -> None:
    page.goto("/")
    button = page.locator(f"#audio-{guide().sections[0].id} + .speed button[data-speed='1.25']")
    shown = button.evaluate("""b => { const copy = b.cloneNode(true);
        copy.querySelectorAll('.visually-hidden').forEach(e => e.remove());
        return copy.textContent; }""")
    assert shown == "1.25\u00d7"
    assert page.get_by_role("button", name="1.25 times speed", exact=True).count() == \
        len(guide().sections) + 1


def test_normal_speed_is_named_in_words(page: Any) -> None:
    page.goto("/")
    assert page.get_by_role("button", name="Normal speed", exact=True).count() == \
        len(guide().sections) + 1
    assert page.get_by_role("button", name="1 times speed").count() == 0


def test_players_offer_no_menu_the_page_already_gives(page: Any) -> None:
    """Download and speed are the page's own links and buttons: the player's menu of the
    same would be one more Tab stop per player."""
    page.goto("/")
    lists = page.eval_on_selector_all("audio", "all => all.map(a => a.controlsList.value)")
    assert lists and all("nodownload" in v and "noplaybackrate" in v for v in lists)


def test_page_without_javascript_has_players_and_no_speed_buttons(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    try:
        tab = context.new_page()
        tab.goto("/")
        assert tab.locator("audio[controls]").count() == len(guide().sections) + 1
        assert tab.locator(".speed").count() == 0
        assert tab.locator("audio[autoplay]").count() == 0
    finally:
        context.close()


def test_axe_finds_nothing_in_light_dark_and_on_a_phone(page: Any) -> None:
    page.goto("/")
    ARTIFACTS.mkdir(exist_ok=True)
    results: dict[str, list[dict[str, Any]]] = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        results[scheme] = run_axe(page, scheme)
        if scheme == "light":
            page.screenshot(path=str(ARTIFACTS / "page.png"), full_page=True)
        else:
            page.screenshot(path=str(ARTIFACTS / "page-dark.png"))
    page.set_viewport_size(PHONE)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        results[f"phone-{scheme}"] = run_axe(page, f"phone, {scheme}")
    page.screenshot(path=str(ARTIFACTS / "page-phone.png"))
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page scrolls sideways on a phone by {overflow}px"
    assert {label: found for label, found in results.items() if found} == {}


def test_not_found_page_passes_axe(page: Any) -> None:
    response = page.goto("/audio/files/99-nothing.mp3")
    assert response is not None and response.status == 404
    assert page.get_by_role("link", name=guide().name, exact=False).count() == 1
    assert run_axe(page, "404") == []


def test_readable_at_200_percent_zoom(browser: Any, base_url: str) -> None:
    """200% zoom on a 1280px screen is a 640px layout viewport at device scale 2."""
    context = browser.new_context(viewport={"width": 640, "height": 450}, device_scale_factor=2,
                                  base_url=base_url)
    try:
        tab = context.new_page()
        tab.goto("/")
        overflow = tab.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"page scrolls sideways at 200% zoom by {overflow}px"
        assert tab.locator("audio").first.bounding_box()["width"] <= 640
    finally:
        context.close()

