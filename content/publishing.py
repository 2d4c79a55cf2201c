"""The ``publishing:`` part of content/guide.yaml: what directories and stores show.

Podcast apps and the Alexa skill store describe the guide with an author, a
description and keywords. They are content, edited by the same people as the
rest, so they live in guide.yaml; they are read here rather than by the loader
because nothing the skill says depends on them (and a Lambda never needs them).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from content.fields import CONTENT_DIR, ContentError, Fields, _read_yaml

MAX_KEYWORDS = 30  # the skill store's limit
MAX_DESCRIPTION = 4000  # the skill store's limit, in characters


@dataclass(frozen=True)
class Publishing:
    """Author, description, keywords and the explicit flag of the guide."""

    author: str
    description: str
    keywords: tuple[str, ...]
    explicit: bool


def load_publishing(root: Path = CONTENT_DIR) -> Publishing:
    """Read and check guide.yaml's ``publishing:``; a mistake names the field."""
    path = root / "guide.yaml"
    fields = Fields(path, _read_yaml(path)).mapping("publishing")
    description = fields.text("description")
    if len(description) > MAX_DESCRIPTION:
        raise ContentError(path, "publishing.description",
                           f"has {len(description)} characters; the store takes {MAX_DESCRIPTION}")
    keywords = fields.texts("keywords")
    if len(keywords) > MAX_KEYWORDS:
        raise ContentError(path, "publishing.keywords", f"keep it to {MAX_KEYWORDS} or fewer")
    explicit = fields.data.get("explicit")
    if not isinstance(explicit, bool):
        raise ContentError(path, "publishing.explicit", "must be true or false")
    return Publishing(author=fields.text("author"), description=description,
                      keywords=keywords, explicit=explicit)


@functools.cache
def publishing() -> Publishing:
    """The packaged content's publishing details (read once)."""
    return load_publishing()
