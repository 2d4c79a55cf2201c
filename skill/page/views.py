"""The listening page: GET / for people, GET /audio/<name> for the recordings.

The page is plain server-rendered HTML that works with JavaScript off: every
section's heading, summary, a native audio player, a download link and the
transcript. ``static/speed.js`` only adds playback-speed buttons on top.

/audio serves the built recordings from the audio output folder (``AUDIO_DIR`` in
the app config, the ``audio_dir`` keyword of create_app, default audio/output/).
It reads them through the manifest (audio/catalog.py) and makes feeds with
audio/pack.py; nothing of the build or the speech engines is imported.
Only files the manifest lists, and the three pack files, are served: the
request path must equal one of those names exactly, so traversal tricks
(``..``, ``%2e%2e``, absolute paths, backslashes, NUL) never reach the disk.
Range requests, ETag and Last-Modified come from werkzeug's send_file.

Audio built without ``--base-url`` has relative links in guide.m3u (right inside
the zip) and no feed.xml on disk. Podcast apps and a downloaded playlist need
absolute ones, so /audio/guide.m3u and /audio/feed.xml are then made per request
under the address the request came to, with the cover (/audio/cover.png).
Behind a reverse proxy that rewrites the Host, build with ``--base-url`` (the
public address) and the files on disk are sent.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urljoin

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file
from flask.sansio.blueprints import BlueprintSetupState
from werkzeug.exceptions import NotFound, RequestedRangeNotSatisfiable

from audio import pack
from audio.catalog import CONTENT_TYPES, Catalog, human_size, load_catalog, safe_name
from audio.manifest import FEED_NAME, OUTPUT_DIR, PLAYLIST_NAME, ManifestError
from audio.plan import text_hashes
from content import guide

log = logging.getLogger(__name__)

page = Blueprint("page", __name__, template_folder="templates",
                 static_folder="static", static_url_path="/static")


@page.record_once
def _configure(state: BlueprintSetupState) -> None:
    """create_app(audio_dir=...) arrives here as a register_blueprint option."""
    chosen = state.options.get("audio_dir")
    if chosen is not None:
        state.app.config["AUDIO_DIR"] = Path(chosen)
    state.app.config.setdefault("AUDIO_DIR", OUTPUT_DIR)
    _warn_if_stale(Path(state.app.config["AUDIO_DIR"]))
    # The app's own /static route comes first and would look beside the app's module; the
    # page's files are the site's only static files, so that route serves them from here.
    state.app.static_folder = page.static_folder


def _warn_if_stale(directory: Path) -> None:
    """One line at start-up, so whoever runs the server learns why a player is missing."""
    stale = load_catalog(directory).stale(text_hashes(guide()))
    if stale:
        log.warning("audio: %d recording(s) older than the content are left off the page "
                    "until `spasm-guide build-audio` is run: %s", len(stale), ", ".join(stale))


# ----------------------------------------------------------------------- the views


def _audio_dir() -> Path:
    return Path(current_app.config.get("AUDIO_DIR") or OUTPUT_DIR)


def _catalog() -> Catalog:
    """The output folder's recordings, less those whose text the content has since changed."""
    return load_catalog(_audio_dir()).current_only(text_hashes(guide()))


@page.get("/")
def index() -> str:
    return render_template("index.html", guide=guide(), catalog=_catalog(), human_size=human_size)


@page.get("/audio/<path:name>")
def audio_file(name: str) -> Response:
    """Every file is sent "no-cache" (revalidated by ETag, a cheap 304): a rebuild
    rewrites it at the same URL, and a cached old recording must not play next to
    a new transcript."""
    root = _audio_dir().resolve()
    catalog = load_catalog(root)
    if safe_name(name) is None or name not in catalog.allowed:
        abort(404)
    if name in (PLAYLIST_NAME, FEED_NAME) and catalog.base_url is None:
        return _pack_on_request(name)
    path = (root / name).resolve()
    if not path.is_file() or not path.is_relative_to(root):
        abort(404)
    suffix = path.suffix.lower()
    if suffix == ".xml" and path.name != FEED_NAME:
        abort(404)
    _drop_multiple_ranges()
    return send_file(path, mimetype=CONTENT_TYPES[suffix], conditional=True, etag=True)


def _pack_on_request(name: str) -> Response:
    """The playlist or feed with absolute links under the address this request came to."""
    try:
        episodes = pack.current_episodes(_audio_dir(), guide())
    except ManifestError:
        episodes = []  # as in the catalog: a broken manifest means nothing is built yet
    base_url = urljoin(request.url_root, "audio/")
    make = pack.feed if name == FEED_NAME else pack.playlist
    response = Response(make(guide(), episodes, base_url), mimetype=CONTENT_TYPES[Path(name).suffix])
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)


def _drop_multiple_ranges() -> None:
    """Answer ``Range: bytes=0-1,5-6`` with the whole file (200), as RFC 9110 allows.

    werkzeug cannot send multipart/byteranges and would answer 416 instead.
    """
    if "," in request.environ.get("HTTP_RANGE", ""):
        del request.environ["HTTP_RANGE"]


@page.errorhandler(NotFound)
def _not_found(error: NotFound) -> tuple[str, int]:
    """A person following a stale link gets a page that leads back, not JSON."""
    return render_template("404.html", guide=guide()), 404


@page.errorhandler(RequestedRangeNotSatisfiable)
def _range_not_satisfiable(error: RequestedRangeNotSatisfiable) -> Response:
    """416 with ``Content-Range: bytes */length`` (the app's JSON errors would drop it)."""
    response = Response("Requested range not satisfiable\n", status=416, mimetype="text/plain")
    if error.length is not None:
        response.headers["Content-Range"] = f"{error.units} */{error.length}"
    response.headers["Accept-Ranges"] = "bytes"
    return response
