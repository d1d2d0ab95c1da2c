"""Write the kiosk's success and error sounds as small 16-bit mono WAV files.

Success: two short rising notes. Error: two low notes, the second lower. Each note fades in and
out over a few milliseconds so the speaker does not click.
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

RATE = 22050
HERE = Path(__file__).resolve().parent
# (frequency in Hz, seconds) per note; 0 Hz is a pause.
SOUNDS = {
    "success": ((880.0, 0.09), (0.0, 0.03), (1318.5, 0.14)),
    "error": ((330.0, 0.16), (0.0, 0.05), (247.0, 0.24)),
}


def samples(notes: tuple[tuple[float, float], ...], volume: float = 0.45) -> bytes:
    """The 16-bit little-endian samples of a sequence of notes."""
    out = bytearray()
    fade = int(RATE * 0.008)
    for frequency, seconds in notes:
        count = int(RATE * seconds)
        for i in range(count):
            envelope = min(1.0, i / fade, (count - i) / fade) if frequency else 0.0
            value = volume * envelope * math.sin(2 * math.pi * frequency * i / RATE)
            out += struct.pack("<h", int(value * 32767))
    return bytes(out)


def write(name: str, folder: Path = HERE) -> Path:
    """Write one sound as `<name>.wav` in `folder`."""
    path = folder / f"{name}.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(samples(SOUNDS[name]))
    return path


if __name__ == "__main__":
    for sound in SOUNDS:
        print(write(sound), file=sys.stderr)
