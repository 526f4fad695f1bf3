"""Two screenshots that differ in one region: the marked region is that one (PNGs built with Pillow)."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from sourcekeeper.changes.visual import BLOCK, MARK, NotComparable, compare_screenshots


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _page(height: int = 900) -> Image.Image:
    image = Image.new("RGB", (640, height), "white")
    draw = ImageDraw.Draw(image)
    for y in range(40, height - 40, 30):  # lines of "text"
        draw.rectangle((40, y, 600, y + 8), fill=(60, 60, 60))
    return image


def test_one_changed_region_is_found_and_marked():
    before = _page()
    after = before.copy()
    ImageDraw.Draw(after).rectangle((200, 300, 359, 379), fill=(30, 90, 200))  # 160 x 80 pixels
    visual = compare_screenshots(_png(before), _png(after))
    (box,) = visual.regions
    # the region holds the changed rectangle, within one block of it on each side
    assert box.left <= 200 < box.left + BLOCK and box.top <= 300 < box.top + BLOCK
    assert box.right - BLOCK < 360 <= box.right and box.bottom - BLOCK < 380 <= box.bottom
    changed = sum(
        1 for x in range(200, 360) for y in range(300, 380) if before.getpixel((x, y)) != (30, 90, 200)
    )
    assert visual.changed_share == pytest.approx(changed / (640 * 900))
    marked = Image.open(io.BytesIO(visual.marked_png)).convert("RGB")
    assert marked.size == (640, 900)
    assert marked.getpixel((box.left + 1, box.top + 1)) == MARK  # the outline
    assert marked.getpixel((20, 20)) == (255, 255, 255)  # outside: the page as it is
    assert visual.before_png == _png(before) and not visual.size_changed


def test_identical_screenshots_have_no_region():
    image = _png(_page())
    visual = compare_screenshots(image, image)
    assert visual.regions == () and visual.changed_share == 0


def test_a_longer_page_is_a_change_at_its_end():
    visual = compare_screenshots(_png(_page(900)), _png(_page(1000)))
    assert visual.size_changed and (visual.width, visual.height) == (640, 1000)
    assert all(box.bottom > 900 - BLOCK for box in visual.regions) and visual.regions


def test_not_an_image_is_said_in_words():
    with pytest.raises(NotComparable, match="earlier screenshot is not a readable image"):
        compare_screenshots(b"<html>", _png(_page()))
