"""audio/pack.py's feed on its own: episode GUIDs and the feed's links (no audio needed)."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest

from audio import pack
from content import Guide, guide

ATOM_LINK = "{http://www.w3.org/2005/Atom}link"


@pytest.fixture
def episode() -> pack.Episode:
    """The first section as an episode, with made-up file facts."""
    section = guide().sections[0]
    return pack.Episode(number=1, section_id=section.id, title=section.title,
                        transcript=pack.transcript(section), path="files/01-overview.mp3",
                        duration_seconds=30.0, size=1000, sha256="a" * 64)


def channel(content: Guide, episodes: list[pack.Episode], base_url: str | None = None) -> ET.Element:
    root = ET.fromstring(pack.feed(content, episodes, base_url))
    found = root.find("channel")
    assert found is not None
    return found


def test_guid_stays_when_only_the_recording_changes(episode: pack.Episode) -> None:
    revoiced = dataclasses.replace(episode, sha256="b" * 64, size=2000, duration_seconds=31.0)
    assert pack.episode_guid(guide(), revoiced) == pack.episode_guid(guide(), episode)


def test_guid_stays_when_the_transcript_is_edited(episode: pack.Episode) -> None:
    """An edited episode is the same episode: apps must not list it twice."""
    edited = dataclasses.replace(episode, transcript=episode.transcript + "One more sentence.\n")
    assert pack.episode_guid(guide(), edited) == pack.episode_guid(guide(), episode)


def test_guids_differ_between_sections(episode: pack.Episode) -> None:
    other = dataclasses.replace(episode, section_id=guide().sections[1].id)
    assert pack.episode_guid(guide(), other) != pack.episode_guid(guide(), episode)


def test_feed_guid_is_not_a_permalink(episode: pack.Episode) -> None:
    guid = channel(guide(), [episode]).find("item/guid")
    assert guid is not None and guid.attrib["isPermaLink"] == "false"
    assert guid.text == pack.episode_guid(guide(), episode)


def test_feed_with_a_base_url_names_itself(episode: pack.Episode) -> None:
    found = channel(guide(), [episode], "https://example.org/audio/")
    self_link = found.find(ATOM_LINK)
    assert self_link is not None
    assert self_link.attrib == {"href": "https://example.org/audio/feed.xml", "rel": "self",
                                "type": "application/rss+xml"}
    assert found.findtext("link") == "https://example.org/"  # the listening page


def test_feed_without_a_base_url_has_no_self_link(episode: pack.Episode) -> None:
    assert channel(guide(), [episode]).find(ATOM_LINK) is None
