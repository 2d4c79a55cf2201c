"""Text to speech behind one small interface: the voices of build-audio and listen.

Four engines can voice the guide, one module per family: Piper (piper.py: offline
neural voice, the best sounding, for local use: its voice's licence does not allow
publishing), Flite and espeak-ng (programs.py: Flite's CMU "slt" voice under a
permissive licence makes the published recordings; espeak-ng is robotic but always
there on Debian) and gTTS (gtts.py: Google's voice, needs the network). They all
return a :class:`Speech`, so the build and the terminal voice do not care which one
spoke; choice.py picks one by name or, for "auto", the best that can run.
"""

from audio.engines.base import Engine, EngineUnavailable, SynthesisError
from audio.engines.choice import ENGINE_NAMES, available_engines, get_engine, piper_voice_fallback
from audio.engines.gtts import GttsEngine
from audio.engines.piper import PiperEngine
from audio.engines.programs import EspeakEngine, FliteEngine
from audio.sound.speech import Speech

__all__ = [
    "ENGINE_NAMES", "Engine", "EngineUnavailable", "EspeakEngine", "FliteEngine", "GttsEngine",
    "PiperEngine", "Speech", "SynthesisError", "available_engines", "get_engine",
    "piper_voice_fallback",
]
