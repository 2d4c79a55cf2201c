"""gTTS: Google's voice, the only engine that needs the network.

Nothing here touches the network except :meth:`GttsEngine.synthesize` and the short
reachability probe ``get_engine("auto")`` runs; offline (SPASM_GUIDE_OFFLINE,
``Settings.offline``) the probe is skipped and the engine refuses to start, even
when asked for by name.
"""

from __future__ import annotations

import importlib.util
import io
import socket
import threading

from audio.engines.base import EngineUnavailable, SynthesisError, check_request
from audio.sound.speech import Speech
from skill.config import OFFLINE_ENV

GTTS_VOICE = "en/com"  # "<language>/<Google top-level domain>"
# gTTS only knows "normal" and "slow" (about 0.6x); rates at or below this use slow.
GTTS_SLOW_BELOW_RATE = 0.85
GTTS_TIMEOUT_SECONDS = 20.0

NETWORK_PROBE_HOST = ("translate.google.com", 443)
NETWORK_PROBE_TIMEOUT_SECONDS = 1.5


def gtts_installed() -> bool:
    return importlib.util.find_spec("gtts") is not None


def network_reachable(offline: bool) -> bool:
    """Quick check that Google's TTS host answers; never run ``offline``.

    The connection runs in a daemon thread so that a slow DNS lookup cannot hold
    the caller longer than the timeout.
    """
    if offline:
        return False
    outcome: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection(
                NETWORK_PROBE_HOST, timeout=NETWORK_PROBE_TIMEOUT_SECONDS
            ):
                outcome.append(True)
        except OSError:
            outcome.append(False)

    thread = threading.Thread(target=probe, name="tts-network-probe", daemon=True)
    thread.start()
    thread.join(NETWORK_PROBE_TIMEOUT_SECONDS + 0.5)
    return bool(outcome and outcome[0])


class GttsEngine:
    """Google's voice through gTTS. Needs the network; returns MP3 plus decoded PCM.

    gTTS has only two speeds, so ``rate`` at or below 0.85 selects "slow" and any
    faster rate is spoken at normal speed.
    """

    name = "gtts"

    def __init__(self, voice: str = GTTS_VOICE, *, offline: bool = False) -> None:
        if offline:  # refuse now, not after a connection error per file
            raise EngineUnavailable(f"{OFFLINE_ENV} is set: gTTS needs the network "
                                    "(unset it, or choose piper or espeak)")
        if not gtts_installed():
            raise EngineUnavailable("gTTS is not installed: pip install gTTS")
        language, _, tld = voice.partition("/")
        self.voice = voice
        self._language = language or "en"
        self._tld = tld or "com"

    def synthesize(self, text: str, rate: float = 1.0) -> Speech:
        """Fetch MP3 from Google and decode it to PCM (keeping the MP3 too)."""
        from gtts import gTTS
        from gtts.tts import gTTSError

        from audio.sound.mp3 import InvalidAudio, decode_mp3

        spoken = check_request(text, rate)
        request = gTTS(
            spoken,
            lang=self._language,
            tld=self._tld,
            slow=rate <= GTTS_SLOW_BELOW_RATE,
            lang_check=False,  # avoids any extra lookups; the voice is fixed by us
            timeout=GTTS_TIMEOUT_SECONDS,
        )
        buffer = io.BytesIO()
        try:
            request.write_to_fp(buffer)
        except gTTSError as error:
            raise SynthesisError(f"gTTS request failed: {error}") from error
        data = buffer.getvalue()
        if not data:
            raise SynthesisError("gTTS returned no audio")
        try:
            return decode_mp3(data)
        except InvalidAudio as error:
            raise SynthesisError(f"gTTS returned audio that does not decode: {error}") from error
