"""Square artwork made from the guide's name: the podcast cover and the skill's icons.

Podcast directories refuse a feed without a square cover of 1400-3000 px, and the
Alexa skill store wants 108 and 512 px icons. Both are drawn here from
content/guide.yaml's ``name`` so a renamed guide gets new artwork with no design
tool: white bold-looking text on a deep blue field (contrast 13:1), one word per
line and as large as fits, so the name stays readable at thumbnail size.

Pillow's bundled scalable font (Pillow 10.1 and later) draws the text, so no
system font is needed and the same Pillow gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

COVER_SIZE = 3000  # Apple's recommended size (1400 is its minimum, 3000 its maximum)
BACKGROUND = (11, 37, 69)  # #0b2545
FOREGROUND = (255, 255, 255)
ACCENT = (255, 196, 61)  # a band under the name; 10:1 on the background
MARGIN = 0.1  # of the side, on every edge
LINE_SPACING = 0.12  # of the font size, between lines
LAYOUT_VERSION = 1  # bump when the drawing changes, so generated artwork counts as stale
SOURCE_KEY = "spasm-guide-source"


def _lines(title: str) -> list[str]:
    """One word per line: the largest type a square allows for a short name."""
    return title.split() or [title]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _fit(draw: ImageDraw.ImageDraw, lines: list[str], box: int) -> int:
    """The largest font size at which every line fits ``box`` wide and all of them tall."""
    low, high = 4, box
    while low < high:
        size = (low + high + 1) // 2
        widths = [draw.textlength(line, font=_font(size)) for line in lines]
        height = size * len(lines) + size * LINE_SPACING * (len(lines) - 1)
        if max(widths) <= box and height <= box * 0.8:
            low = size
        else:
            high = size - 1
    return low


def artwork(title: str, side: int = COVER_SIZE) -> Image.Image:
    """The artwork as an RGB image ``side`` pixels square."""
    image = Image.new("RGB", (side, side), BACKGROUND)
    draw = ImageDraw.Draw(image)
    lines = _lines(title)
    box = round(side * (1 - 2 * MARGIN))
    size = _fit(draw, lines, box)
    font = _font(size)
    step = size * (1 + LINE_SPACING)
    band = max(2, round(side * 0.03))
    top = (side - step * len(lines) - band * 2) / 2
    for index, line in enumerate(lines):
        draw.text((side / 2, top + index * step), line, font=font, fill=FOREGROUND, anchor="mt",
                  stroke_width=max(1, size // 40), stroke_fill=FOREGROUND)
    band_top = round(top + step * len(lines) + band)
    margin = round(side * MARGIN)
    draw.rectangle((margin, band_top, side - margin, band_top + band), fill=ACCENT)
    return image


def source(title: str, side: int) -> str:
    """What the artwork is drawn from, as a hash: kept in the PNG so staleness is checkable
    without comparing pixels (another Pillow may draw the same text a pixel differently)."""
    return hashlib.sha256(f"{LAYOUT_VERSION}:{side}:{title}".encode()).hexdigest()


def png(title: str, side: int = COVER_SIZE) -> bytes:
    """The artwork as PNG bytes (a palette image: few colours, so a small file)."""
    image = artwork(title, side).quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    info = PngImagePlugin.PngInfo()
    info.add_text(SOURCE_KEY, source(title, side))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True, pnginfo=info)
    return buffer.getvalue()


def drawn_from(data: bytes) -> str | None:
    """The source hash a PNG made by :func:`png` carries (None for any other file)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            value = image.info.get(SOURCE_KEY) if image.format == "PNG" else None
    except (OSError, SyntaxError, ValueError):
        return None
    return value if isinstance(value, str) else None
