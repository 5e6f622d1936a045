"""Icons at the size they are drawn: the ``diagrams`` package's PNGs are 200-300 px, a card
draws them at 38 points. Embedding them whole made a 13-icon SVG weigh 400 KB.

Each icon is scaled to twice the CSS pixels it covers at the SVG's natural size (sharp on
high-density screens), saved as an optimised PNG, and kept in the user's cache folder, keyed by
the source icon's content and the size, so a render pays for Pillow once per icon and size.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
from collections.abc import Callable
from typing import Any

from archkit.files import user_cache_dir, write_atomic

# SVG user units are points at the natural size; a CSS pixel is 3/4 of a point.
PX_PER_UNIT = 4 / 3
DEVICE_PIXEL_RATIO = 2
# Colours of an icon's palette: 128 keeps gradients smooth at a third of true colour's size.
PALETTE_SIZE = 128
# Bump when the way icons are scaled or encoded changes.
_VERSION = "1"


def pixels_for(units: float) -> int:
    """Device pixels an icon needs to stay sharp where it covers ``units`` of the SVG."""
    return max(1, math.ceil(units * PX_PER_UNIT * DEVICE_PIXEL_RATIO - 1e-9))


def scaled_reader(read_icon: Callable[[str], bytes]) -> Callable[[str, int, int], bytes]:
    """An icon reader that answers an href at a pixel size: the cached PNG when there is one,
    else a freshly scaled one (stored for next time). Never larger than the source icon."""

    def read(href: str, width: int, height: int) -> bytes:
        source = read_icon(href)
        key = hashlib.sha256(b"%s\0%d\0%d\0" % (_VERSION.encode(), width, height) + source).hexdigest()
        cached = user_cache_dir("icons") / f"{key[:40]}.png"
        try:
            return cached.read_bytes()
        except OSError:
            pass
        data = scale_png(source, width, height)
        with contextlib.suppress(OSError):  # a read-only cache folder: scale again next time
            write_atomic(cached, data)
        return data

    return read


def scale_png(source: bytes, width: int, height: int) -> bytes:
    """``source`` (a PNG) fitted into ``width`` x ``height`` pixels, as a small PNG.

    An icon already that small is returned as it is: upscaling only adds bytes."""
    from PIL import Image

    with Image.open(io.BytesIO(source)) as image:
        image.load()
        if image.width <= width and image.height <= height:
            return source
        factor = min(width / image.width, height / image.height)
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        scaled = image.convert("RGBA").resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return min(_palette_png(scaled), _encode(scaled), key=len)


def _encode(image: Any, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True, **options)
    return out.getvalue()


def _palette_png(image: Any) -> bytes:
    """An RGBA image as a PNG of PALETTE_SIZE colours that keeps smooth gradients smooth.

    Pillow's only RGBA quantizer (octree) spends its colours on alpha levels and leaves ~70 for
    the colours, which bands an icon's gradient. Here the opaque pixels - nearly all of an icon -
    get their own median-cut palette of up to PALETTE_SIZE - 1 - k colours; the k-colour rest is the
    anti-aliased edge (octree, with alpha) and one transparent entry."""
    from PIL import Image

    raw = image.tobytes()
    pixels = [raw[i : i + 4] for i in range(0, len(raw), 4)]
    opaque = [p[:3] for p in pixels if p[3] == 255]
    edge = [p for p in pixels if 0 < p[3] < 255]
    palette: list[bytes] = [b"\0\0\0\0"]  # index 0: transparent

    def indices(strip: Any, mode: str) -> list[int]:
        """Append ``strip``'s palette (the entries it uses) to ours; its pixels' new indices."""
        width = len(mode)
        colours = strip.getpalette(mode) or []
        used = strip.tobytes()
        remap: dict[int, int] = {}
        for index in sorted(set(used)):
            remap[index] = len(palette)
            entry = bytes(colours[width * index : width * index + width])
            palette.append(entry if width == 4 else entry + b"\xff")
        return [remap[index] for index in used]

    edge_indices: list[int] = []
    if edge:
        strip = Image.frombytes("RGBA", (len(edge), 1), b"".join(edge))
        edge_indices = indices(strip.quantize(min(48, len(set(edge))), Image.Quantize.FASTOCTREE), "RGBA")
    opaque_indices: list[int] = []
    if opaque:
        strip = Image.frombytes("RGB", (len(opaque), 1), b"".join(opaque))
        colours = min(PALETTE_SIZE - len(palette), len(set(opaque)))
        opaque_indices = indices(strip.quantize(colours, Image.Quantize.MEDIANCUT), "RGB")
    from_edge, from_opaque = iter(edge_indices), iter(opaque_indices)
    data = bytes(0 if p[3] == 0 else next(from_opaque) if p[3] == 255 else next(from_edge) for p in pixels)
    result = Image.frombytes("P", image.size, data)
    result.putpalette(b"".join(entry[:3] for entry in palette), "RGB")
    return _encode(result, transparency=b"".join(entry[3:] for entry in palette))
