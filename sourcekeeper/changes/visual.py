"""The visual diff of two screenshots (Pillow): which regions changed and how much of the page.

Both images are laid on a white canvas of the larger width and height (a longer page is a
change too). A pixel has changed when any colour channel moved by more than THRESHOLD (so JPEG-ish
noise and anti-aliasing jitter do not count); the page is cut into BLOCK x BLOCK pixel blocks, a
block with a changed pixel is changed, and touching changed blocks make one region, reported as
its bounding box. The marked image is the later screenshot with each region tinted and outlined.
"""

from __future__ import annotations

import io

from PIL import Image, ImageChops, ImageDraw, UnidentifiedImageError

from sourcekeeper.changes.model import Box, VisualDiff

THRESHOLD = 24  # of 255, per channel
BLOCK = 16  # pixels
MAX_PIXELS = 60_000_000  # a larger canvas is not compared (memory)
MARK = (220, 30, 30)


class NotComparable(ValueError):
    """The two images cannot be compared (not an image, too large): the reason in plain words."""


def _open(data: bytes, which: str) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise NotComparable(f"the {which} screenshot is not a readable image ({exc})") from None
    return image.convert("RGB")


def _on_canvas(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.size == size:
        return image
    canvas = Image.new("RGB", size, (255, 255, 255))
    canvas.paste(image, (0, 0))
    return canvas


def _regions(blocks: Image.Image) -> list[Box]:
    """Bounding boxes (in blocks) of the 8-connected groups of changed blocks."""
    width, height = blocks.size
    data = blocks.tobytes()
    seen = bytearray(width * height)
    boxes: list[Box] = []
    for start in range(width * height):
        if not data[start] or seen[start]:
            continue
        seen[start] = 1
        stack = [start]
        left, top, right, bottom = width, height, -1, -1
        while stack:
            cell = stack.pop()
            y, x = divmod(cell, width)
            left, top, right, bottom = min(left, x), min(top, y), max(right, x), max(bottom, y)
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    nx, ny = x + dx, y + dy
                    if 0 <= nx < width and 0 <= ny < height:
                        other = ny * width + nx
                        if data[other] and not seen[other]:
                            seen[other] = 1
                            stack.append(other)
        boxes.append(Box(left, top, right + 1, bottom + 1))
    return boxes


def compare_screenshots(before_png: bytes, after_png: bytes) -> VisualDiff:
    """Compare two screenshots (PNG bytes); NotComparable when they cannot be."""
    before, after = _open(before_png, "earlier"), _open(after_png, "later")
    width, height = max(before.width, after.width), max(before.height, after.height)
    if width * height > MAX_PIXELS:
        raise NotComparable(f"the screenshots are too large to compare ({width}x{height} pixels)")
    size = (width, height)
    old, new = _on_canvas(before, size), _on_canvas(after, size)
    difference = ImageChops.difference(old, new)
    # the largest channel difference per pixel, then changed (255) or not (0)
    red, green, blue = difference.split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    mask = largest.point(lambda value: 255 if value > THRESHOLD else 0)
    changed = mask.histogram()[255]
    # a block is changed when any of its pixels is: the largest value over each block
    columns, rows = -(-width // BLOCK), -(-height // BLOCK)
    padded = _on_canvas_l(mask, (columns * BLOCK, rows * BLOCK))
    # the mean of a block is above 0 when one pixel of it is 255 (1/256 of 255 rounds up to 1)
    blocks = padded.reduce(BLOCK).point(lambda value: 255 if value > 0 else 0)
    regions = [
        Box(
            box.left * BLOCK,
            box.top * BLOCK,
            min(box.right * BLOCK, width),
            min(box.bottom * BLOCK, height),
        )
        for box in _regions(blocks)
    ]
    marked = new.copy()
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for box in regions:
        draw.rectangle(
            (box.left, box.top, box.right - 1, box.bottom - 1),
            fill=(*MARK, 60),
            outline=(*MARK, 255),
            width=3,
        )
    marked = Image.alpha_composite(marked.convert("RGBA"), overlay).convert("RGB")
    return VisualDiff(
        width=width,
        height=height,
        changed_share=changed / (width * height) if width and height else 0.0,
        regions=tuple(regions),
        before_png=before_png,
        after_png=after_png,
        marked_png=_png(marked),
        size_changed=before.size != after.size,
    )


def _on_canvas_l(mask: Image.Image, size: tuple[int, int]) -> Image.Image:
    if mask.size == size:
        return mask
    canvas = Image.new("L", size, 0)
    canvas.paste(mask, (0, 0))
    return canvas


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()
