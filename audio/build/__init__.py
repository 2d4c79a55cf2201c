"""``spasm-guide build-audio``: the guide as MP3 files Alexa can play, kept up to date.

One file per page (what the skill plays), one per section and one for the whole
guide (for players and the offline pack), written into audio/output/. The build
runs in four steps (run.py):

1. **plan** (audio/plan.py): what files the content calls for, each with its
   spoken text;
2. **jobs**: synthesize only the pages whose text, engine or voice changed, in a
   thread pool, each resampled (soxr), brought to -16 LUFS with true peaks at most
   -1 dBTP (audio/sound/) and checked on the decoded MP3; section and guide files
   are then *joined* from the page MP3s and measured again;
3. **atomic writes**: every file goes through ``write_atomic``, and the manifest is
   rewritten after each file, so a crash or Ctrl-C leaves a manifest that describes
   exactly the complete files on disk;
4. **manifest and pack**: the playlist, feed and zip (audio/pack.py), then the final
   manifest (audio/manifest.py), then obsolete files are removed.

Joining MP3 frames rather than re-encoding joined PCM is deliberate: LAME starts
every stream with an empty bit reservoir (the first frame's ``main_data_begin``
is 0), so frames of separately encoded pages can follow each other losslessly.
Each page is synthesized once, a one-page edit re-synthesizes one page, and a
section never passes through a second lossy encode.

Also here: hashes.py (file hashes remembered between builds), report.py (progress
and the summary), check.py (``spasm-guide check``: is the output current?) and
cli.py (the command line).
"""
