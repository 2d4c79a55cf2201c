"""The guide as recordings: speech engines, the build that records the guide, its output.

- ``output/``: what ``spasm-guide build-audio`` writes and git keeps (files/*.mp3,
  manifest.json, guide.m3u, guide.zip, cover.png); `serve` publishes it at /audio/.
- ``manifest.py``: that folder's file names and manifest.json, the one reader and writer;
  ``catalog.py``: what it offers the listening page and the AudioPlayer playlist;
  ``tracks.py``: the playlist's plain data, for the playback handlers.
- ``plan.py``: what files the content calls for; ``pack.py``: playlist, podcast feed and
  zip; ``artwork.py``: the cover and the skill's icons; ``files.py``: atomic writes.
- ``engines/``: text to speech (Piper, Flite, espeak-ng, gTTS), for the build and
  ``listen``; ``sound/``: PCM speech, MP3 encoding and checks, loudness.
- ``build/``: build-audio itself (run, check, command line).
"""
