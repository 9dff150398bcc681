"""The seal an organisation's signature shows: a red round seal drawn with Pillow.

As a Chinese official seal is cut (GA 241-2000): a ring, a five-pointed star in the
centre, the organisation's name along the upper arc, its purpose (调解专用章) in a line
under the star — a court's seal has none. The picture is only the signature's appearance:
what binds the document is the signature behind it (:mod:`jintiao.pki.signing`).
"""

from __future__ import annotations

import functools
import math
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

RED = (214, 0, 24)
SIZE = 480  # pixels across: 42 mm at about 290 dpi
SUPERSAMPLE = 2  # drawn twice as large and scaled down, for smooth edges
FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


@functools.cache
def _font_file() -> tuple[str, int]:
    """A bold CJK face and, in a collection, the index of its Simplified Chinese member."""
    candidates = [p for p in FONT_FILES if Path(p).exists()]
    if not candidates:
        try:
            found = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn:weight=bold"],  # noqa: S607
                                   capture_output=True, text=True, timeout=10,
                                   check=False).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            found = ""
        if not found:
            raise RuntimeError("No CJK font for the seal: install fonts-noto-cjk")
        candidates = [found]
    path = candidates[0]
    for index in range(16):
        try:
            face = ImageFont.truetype(path, 12, index=index)
        except OSError:
            break
        if " SC" in (face.getname()[0] or ""):
            return path, index
    return path, 0


def _font(size: float) -> ImageFont.FreeTypeFont:
    path, index = _font_file()
    return ImageFont.truetype(path, max(int(size), 4), index=index)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.382
        angle = math.radians(-90 + 36 * i)
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(points, fill=RED)


def _glyph(char: str, font: ImageFont.FreeTypeFont, size: int) -> Image.Image:
    tile = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text((size / 2, size / 2), char, font=font, fill=RED, anchor="mm")
    return tile


@functools.lru_cache(maxsize=128)
def seal_image(name: str, purpose: str = "") -> Image.Image:
    """The seal of ``name`` as an RGBA picture, transparent around and between the strokes
    (kept per process: one picture per organisation)."""
    d = SIZE * SUPERSAMPLE
    img = Image.new("RGBA", (d, d), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    ring = d * 0.035
    draw.ellipse((ring / 2, ring / 2, d - ring / 2, d - ring / 2), outline=RED,
                 width=round(ring))
    c = d / 2
    _star(draw, c, c, d * 0.15)
    chars = [ch for ch in name if not ch.isspace()]
    if chars:
        span = min(250.0, max(120.0, 24.0 * len(chars)))  # degrees of arc the name takes
        step = math.radians(span / len(chars))
        size = min(d * 0.12, d * 0.33 * step * 0.95)  # a character fills its share of arc
        radius = c - ring - d * 0.025 - size / 2
        font, tile = _font(size), round(size * 1.5)
        for i, ch in enumerate(chars):
            angle = -span / 2 + span * (i + 0.5) / len(chars)  # clockwise from the top
            glyph = _glyph(ch, font, tile).rotate(-angle, resample=Image.Resampling.BICUBIC)
            x = c + radius * math.sin(math.radians(angle))
            y = c - radius * math.cos(math.radians(angle))
            img.alpha_composite(glyph, (round(x - tile / 2), round(y - tile / 2)))
    if purpose:
        draw.text((c, c + d * 0.27), purpose, font=_font(d * 0.085), fill=RED, anchor="mm")
    # one flat red under the ink's shape: the colour planes compress to nothing and only
    # the shape (the alpha plane) weighs in the PDF
    shape = img.getchannel("A").resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    seal = Image.new("RGBA", (SIZE, SIZE), (*RED, 0))
    seal.putalpha(shape)
    return seal
