"""Sound as the guide handles it: PCM speech, MP3 in Alexa's format, and loudness.

Below both the speech engines (audio/engines/, which return :class:`Speech`) and the
build (audio/build/, which encodes and measures it), so neither imports the other's
internals. Imports nothing heavy itself: ``speech`` is plain data, and ``mp3`` and
``loudness`` load their libraries (LAME, numpy, pyloudnorm, soxr) only when imported.
"""
