"""The served podcast feed, read by a real feed parser (feedparser) as podcast apps read it.

Apple Podcasts and the Podcast Standards Project require each tag checked here; the
cover it names is served and is a square PNG of 1400-3000 px.
"""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from flask.testing import FlaskClient
from PIL import Image

from audio import artwork, pack
from audio.build.run import build
from content import guide
from skill.web.app import create_app
from tests.test_page import ToneEngine

HOST = "https://guide.example/"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    """The web app over a real (tone-voiced) build without a base URL, as committed."""
    out: Path = tmp_path_factory.mktemp("served")
    build(guide(), out / "audio", engine=ToneEngine())
    return create_app(verify=False, data_dir=out, audio_dir=out / "audio").test_client()


@pytest.fixture(scope="module")
def parsed(served: FlaskClient) -> feedparser.FeedParserDict:
    result = feedparser.parse(served.get("/audio/feed.xml", base_url=HOST).data)
    assert not result.bozo, result.get("bozo_exception")
    return result


def test_feed_names_its_cover_and_the_cover_is_served(parsed: feedparser.FeedParserDict,
                                                      served: FlaskClient) -> None:
    href = parsed.feed.image.href
    assert href == HOST + "audio/cover.png"
    response = served.get(href.removeprefix(HOST.rstrip("/")))
    assert response.status_code == 200 and response.mimetype == "image/png"


def test_feed_says_it_is_not_explicit(served: FlaskClient) -> None:
    """Apple's values are "true"/"false". feedparser reads only "yes" and "clean" (any other
    value, "false" as much as the old "no", becomes None), so this reads the XML itself."""
    channel = ET.fromstring(served.get("/audio/feed.xml", base_url=HOST).data).find("channel")
    assert channel is not None
    assert channel.findtext(f"{{{pack.ITUNES_NS}}}explicit") == "false"


def test_feed_links_to_the_listening_page(parsed: feedparser.FeedParserDict,
                                          served: FlaskClient) -> None:
    assert parsed.feed.link == HOST
    assert "<audio" in served.get("/", base_url=HOST).text


def test_feed_category_is_medicine_under_health_and_fitness(
        parsed: feedparser.FeedParserDict) -> None:
    assert [tag.term for tag in parsed.feed.tags] == ["Health & Fitness", "Medicine"]


def test_feed_has_author_and_type(parsed: feedparser.FeedParserDict) -> None:
    assert parsed.feed.author == "Facial Spasm Guide"
    assert parsed.feed.itunes_type == "serial"


def test_feed_podcast_guid_is_the_uuid5_of_its_url(parsed: feedparser.FeedParserDict) -> None:
    expected = uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"),
                          "guide.example/audio/feed.xml")
    assert parsed.feed.podcast_guid == str(expected)


def test_feed_is_locked(parsed: feedparser.FeedParserDict) -> None:
    assert parsed.feed.podcast_locked == "yes"


def test_feed_names_itself(parsed: feedparser.FeedParserDict) -> None:
    selves = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert selves == [HOST + "audio/feed.xml"]


def test_every_enclosure_is_absolute(parsed: feedparser.FeedParserDict) -> None:
    urls = [link.href for entry in parsed.entries for link in entry.enclosures]
    assert len(urls) == len(guide().sections)
    assert all(url.startswith(HOST + "audio/files/") for url in urls)


def test_episode_guids_are_unique_and_not_permalinks(parsed: feedparser.FeedParserDict) -> None:
    ids = [entry.id for entry in parsed.entries]
    assert len(set(ids)) == len(ids)
    assert all(entry.guidislink is False for entry in parsed.entries)


def test_cover_is_a_square_png_of_podcast_size() -> None:
    image = Image.open(io.BytesIO(artwork.png(guide().name)))
    assert image.format == "PNG"
    assert image.width == image.height and 1400 <= image.width <= 3000


def test_cover_text_contrasts_with_its_background() -> None:
    """The two main colours (background and text) differ at least 7:1 (WCAG AAA)."""
    image = artwork.artwork(guide().name, 300)
    (_, first), (_, second) = sorted(image.getcolors(300 * 300), reverse=True)[:2]
    assert contrast(first, second) >= 7


def test_cover_title_fills_a_thumbnail() -> None:
    """At 100 px, as podcast apps list it, the text still spans over half the width."""
    image = artwork.artwork(guide().name, 100)
    columns = [x for x in range(100) if any(image.getpixel((x, y)) == artwork.FOREGROUND
                                            for y in range(100))]
    assert columns[-1] - columns[0] >= 50


def contrast(one: tuple[int, int, int], two: tuple[int, int, int]) -> float:
    def luminance(colour: tuple[int, int, int]) -> float:
        channels = [c / 255 for c in colour]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_published_feed_podcast_guid_uses_its_public_address() -> None:
    assert pack.podcast_guid("https://example.org/audio/feed.xml/") == str(
        uuid.uuid5(pack.PODCAST_GUID_NAMESPACE, "example.org/audio/feed.xml"))
