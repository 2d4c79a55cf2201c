"""What a build tells the person running it: one progress line, and a summary at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO


class Progress:
    """One status line on stderr: rewritten in place on a terminal, one line per step elsewhere."""

    def __init__(self, stream: IO[str] | None, total: int) -> None:
        self.stream, self.total, self.done = stream, total, 0
        self._tty = bool(stream and hasattr(stream, "isatty") and stream.isatty())
        self._width = 0

    def step(self, label: str) -> None:
        self.done += 1
        self._write(f"[{self.done:>{len(str(self.total))}}/{self.total}] {label}")

    def note(self, message: str) -> None:
        self._write(message, keep=True)

    def _write(self, text: str, keep: bool = False) -> None:
        if self.stream is None:
            return
        if self._tty and not keep:
            self.stream.write("\r" + text.ljust(self._width))
            self._width = len(text)
        else:
            self.end()
            self.stream.write(text + "\n")
        self.stream.flush()

    def end(self) -> None:
        if self._tty and self._width and self.stream:
            self.stream.write("\n")
            self._width = 0


@dataclass
class BuildReport:
    """What a build did, for the summary line and for tests."""

    engine: str
    voice: str
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    pack_written: bool = False
    audio_seconds: float = 0.0  # length of every file written
    spoken_seconds: float = 0.0  # speech synthesized (pages and the guide's opening)
    synthesis_seconds: float = 0.0  # wall time from first synthesis to last
    elapsed_seconds: float = 0.0

    @property
    def real_time_factor(self) -> float | None:
        """Synthesis wall time per second of speech (lower is faster); None if nothing spoke."""
        return self.synthesis_seconds / self.spoken_seconds if self.spoken_seconds else None

    def summary(self) -> str:
        rtf = self.real_time_factor
        speed = (f"synthesized {self.spoken_seconds:.1f} s of speech in "
                 f"{self.synthesis_seconds:.1f} s (real-time factor {rtf:.3f})"
                 if rtf is not None else "nothing to synthesize")
        return (f"built {len(self.built)}, skipped {len(self.skipped)}, removed "
                f"{len(self.removed)}; wrote {self.audio_seconds:.1f} s of audio; {speed}; "
                f"pack {'written' if self.pack_written else 'unchanged'}; engine "
                f"{self.engine}, voice {self.voice}; {self.elapsed_seconds:.2f} s in all")
