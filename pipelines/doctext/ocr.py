"""OCR of images and image-only PDF pages: Debian's tesseract (tesseract-ocr, with the simplified
Chinese and English models of tesseract-ocr-chi-sim and tesseract-ocr-eng), run as a child of the
worker process, so the worker's memory limit and the document's time limit hold for it too.

Why tesseract and not an ONNX engine, and the figures: docs/documents.md. A median filter before
OCR takes away a photocopy's speckles, which otherwise cost tesseract a third of the characters."""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import os
import shutil
import subprocess
from typing import TYPE_CHECKING, Any

from pipelines.doctext.model import (
    CORRUPT,
    OCR_OFF,
    TIMEOUT,
    TOO_LARGE,
    UNSUPPORTED,
    Deadline,
    Limits,
    Skipped,
)
from pipelines.doctext.textclean import clean_text, join_words

if TYPE_CHECKING:
    from PIL.Image import Image

# an image narrower than this is enlarged twice before OCR (tesseract wants strokes of a few pixels)
_UPSCALE_BELOW = 1000


@functools.cache
def tesseract_path() -> str | None:
    return shutil.which("tesseract")


@functools.cache
def tesseract_version() -> str | None:
    path = tesseract_path()
    if path is None:
        return None
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    first = (out.stdout or out.stderr).splitlines()
    return first[0].strip() if first else None


@functools.cache
def tesseract_languages() -> frozenset[str]:
    path = tesseract_path()
    if path is None:
        return frozenset()
    try:
        out = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(line.strip() for line in out.stdout.splitlines()[1:] if line.strip())


def engine_name(limits: Limits) -> str:
    return f"{tesseract_version() or 'tesseract'} ({limits.ocr_languages})"


def check_engine(limits: Limits) -> None:
    if limits.ocr == "never":
        raise Skipped(OCR_OFF, "its text is in images and OCR is off (ARCHIVE_OCR = never)")
    if tesseract_path() is None:
        raise Skipped(
            UNSUPPORTED, "OCR needs tesseract (Debian packages tesseract-ocr, tesseract-ocr-chi-sim)"
        )
    missing = set(limits.ocr_languages.split("+")) - tesseract_languages()
    if missing:
        raise Skipped(UNSUPPORTED, f"tesseract has no model for {', '.join(sorted(missing))}")


def prepare(image: Image) -> Image:
    """Grey, enlarged when small, speckles taken out."""
    from PIL import Image as PILImage  # noqa: PLC0415
    from PIL import ImageFilter  # noqa: PLC0415

    grey = image.convert("L")
    if grey.width < _UPSCALE_BELOW:
        grey = grey.resize((grey.width * 2, grey.height * 2), PILImage.Resampling.LANCZOS)
    return grey.filter(ImageFilter.MedianFilter(3))


def ocr_image(image: Image, limits: Limits, deadline: Deadline) -> tuple[str, float | None]:
    """The text tesseract reads in the image, and its mean word confidence (0-100)."""
    check_engine(limits)
    deadline.check()
    buffer = io.BytesIO()
    prepare(image).save(buffer, format="PNG", compress_level=1)
    path = tesseract_path()
    assert path is not None
    command = [path, "stdin", "stdout", "-l", limits.ocr_languages, "--psm", "3", "tsv"]
    # one thread: the worker processes are the parallelism, and OpenMP's spinning threads cost more
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    ) as process:
        try:
            out, err = process.communicate(buffer.getvalue(), timeout=max(deadline.left(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise Skipped(TIMEOUT, f"OCR not done within {deadline.seconds:g} s") from None
    if process.returncode != 0:
        message = err.decode("utf-8", "replace").strip().splitlines()
        last = message[-1] if message else f"exit status {process.returncode}"
        if process.returncode < 0 or "alloc" in last.lower():
            raise Skipped(TOO_LARGE, f"OCR ran out of memory or was stopped ({last})")
        raise Skipped(CORRUPT, f"OCR could not read the image ({last})")
    return parse_tsv(out.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> tuple[str, float | None]:
    """tesseract's TSV: words grouped into lines (block, paragraph, line), paragraphs apart."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences: list[float] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        if row.get("level") != "5" or not word:
            continue
        with contextlib.suppress(ValueError, TypeError):
            confidence = float(row.get("conf") or -1)
            if confidence >= 0:
                confidences.append(confidence)
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        lines.setdefault(key, []).append(word)
    out: list[str] = []
    previous: tuple[int, int] | None = None
    for (block, par, _line), words in lines.items():
        if previous is not None and previous != (block, par):
            out.append("")
        out.append(join_words(words))
        previous = (block, par)
    mean = round(sum(confidences) / len(confidences), 2) if confidences else None
    return clean_text("\n".join(out)), mean


def open_image(data: bytes, limits: Limits) -> Any:
    """The image, its size checked against ARCHIVE_DOCUMENT_MAX_PIXELS from its header, before
    any pixel is decoded (a 50,000 × 50,000 PNG is a few MB and would need 2.5 GB)."""
    from PIL import Image as PILImage  # noqa: PLC0415
    from PIL import UnidentifiedImageError  # noqa: PLC0415

    PILImage.MAX_IMAGE_PIXELS = None  # our limit, checked below, says what is too large
    try:
        image = PILImage.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise Skipped(CORRUPT, f"not a readable image ({exc})") from None
    width, height = image.size
    check_pixels(width, height, limits)
    return image


def check_pixels(width: int, height: int, limits: Limits) -> None:
    if width * height > limits.max_pixels:
        raise Skipped(
            TOO_LARGE,
            f"{width:,} × {height:,} pixels, over the limit of {limits.max_pixels:,} "
            "(ARCHIVE_DOCUMENT_MAX_PIXELS)",
        )
