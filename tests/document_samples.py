"""Documents the tests (and bench/documents_bench.py) make: scanned notices rendered with a CJK font
and degraded like a photocopy, and the character error rate OCR is judged by.

A scan is the notice's text drawn with Noto CJK (Debian's fonts-noto-cjk) at 150 dpi on an A4-wide
page, then degraded: a slight rotation, a blur, speckle noise and a grey, uneven background, as a
photocopied notice posted as an image looks."""

from __future__ import annotations

import io
import random
from pathlib import Path

CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
)

# invented notices in the style of county-level 通知 (no real place, office or person)
NOTICES = (
    (
        "关于做好春节期间安全生产工作的通知",
        "各乡镇人民政府，县直各部门：\n"
        "为切实做好春节期间安全生产工作，防范各类事故发生，现将有关事项通知如下。\n"
        "一、提高思想认识。各单位要充分认识做好节日期间安全生产工作的重要性，主要负责同志要亲自部署。\n"
        "二、开展隐患排查。重点检查人员密集场所、道路交通和烟花爆竹经营单位，发现问题立即整改。\n"
        "三、严格值班值守。节日期间实行二十四小时值班制度，值班人员要保持通讯畅通。\n"
        "联系电话：0971-1234567\n"
        "县安全生产委员会办公室\n"
        "2020年1月14日",
    ),
    (
        "关于进一步加强社区人员信息登记工作的通知",
        "各街道办事处、各有关单位：\n"
        "根据上级工作部署，决定在全县范围内开展社区人员信息登记工作。现将有关要求通知如下。\n"
        "一、登记范围。辖区内全部常住人口和流动人口，重点是近期返乡人员。\n"
        "二、工作要求。各单位要明确专人负责，做到底数清、情况明，每周五前报送工作进展。\n"
        "三、时间安排。本次登记工作自即日起至2020年3月31日结束。\n"
        "县社区工作领导小组办公室\n"
        "2020年2月3日",
    ),
)


def cjk_font_path() -> Path | None:
    return next((path for path in CJK_FONTS if path.exists()), None)


def notice_text(index: int = 0) -> str:
    title, body = NOTICES[index % len(NOTICES)]
    return f"{title}\n{body}"


def render_page(text: str, *, dpi: int = 150, width_mm: float = 210, font_pt: float = 14) -> object:
    """The text drawn black on white, one line per line of `text` (wrapped at the page width)."""
    from PIL import Image, ImageDraw, ImageFont

    font_path = cjk_font_path()
    if font_path is None:
        raise FileNotFoundError("no CJK font (Debian package fonts-noto-cjk)")
    px_per_pt = dpi / 72
    font = ImageFont.truetype(str(font_path), round(font_pt * px_per_pt))
    width = round(width_mm / 25.4 * dpi)
    margin = round(20 / 25.4 * dpi)
    line_height = round(font_pt * px_per_pt * 1.7)
    lines: list[str] = []
    for paragraph in text.splitlines():
        current = ""
        for char in paragraph:
            if font.getlength(current + char) > width - 2 * margin:
                lines.append(current)
                current = ""
            current += char
        lines.append(current)
    height = 2 * margin + line_height * len(lines)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        draw.text((margin, margin + row * line_height), line, fill=0, font=font)
    return image


def photocopy(image: object, *, seed: int = 0, angle: float = 0.8, noise: float = 0.02) -> object:
    """Degrade a clean page like a photocopy: rotation by `angle` degrees, blur, a grey uneven
    background, dark speckles over `noise` of the pixels and light dropouts in the strokes."""
    from PIL import Image, ImageFilter

    assert isinstance(image, Image.Image)
    rng = random.Random(seed)
    page = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(0.7))
    width, height = page.size
    pixels = bytearray(page.tobytes())
    for y in range(height):
        shade = 20 + int(15 * y / height)  # the copier's uneven grey
        row = y * width
        for x in range(0, width, 1):
            value = pixels[row + x]
            if value > 200:
                pixels[row + x] = max(0, value - shade)
    for _ in range(int(width * height * noise)):
        spot = rng.randrange(width * height)
        pixels[spot] = rng.choice((0, 40, 90)) if rng.random() < 0.6 else 255
    return Image.frombytes("L", (width, height), bytes(pixels)).filter(ImageFilter.MedianFilter(1))


def scan(index: int = 0, *, seed: int = 0, dpi: int = 150, degrade: bool = True) -> object:
    page = render_page(notice_text(index), dpi=dpi)
    return photocopy(page, seed=seed) if degrade else page


def image_bytes(image: object, fmt: str = "PNG", **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)  # type: ignore[attr-defined]
    return out.getvalue()


def image_pdf(images: list[object], dpi: int = 150) -> bytes:
    """An image-only PDF (a scanner's output): one page per image, no text layer."""
    out = io.BytesIO()
    first, *rest = [image.convert("RGB") for image in images]  # type: ignore[attr-defined]
    first.save(out, format="PDF", resolution=dpi, save_all=True, append_images=rest)
    return out.getvalue()


def _comparable(text: str) -> str:
    """What the error rate compares: every character but white space (OCR lays out lines and
    spaces its own way; a dropped or wrong character still counts)."""
    return "".join(text.split())


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Levenshtein distance / reference length, over the characters that are not white space."""
    ref, hyp = _comparable(reference), _comparable(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1] / max(len(ref), 1)


# documents written by their own tools ------------------------------------------------------------
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]


def chromium_path() -> str | None:
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_pdf(html: str, folder: Path) -> bytes:
    """`html` printed to PDF by headless Chromium (its own text layer, fonts embedded)."""
    import subprocess

    chromium = chromium_path()
    if chromium is None:
        raise FileNotFoundError("no chromium (Debian package chromium)")
    source = folder / "notice.html"
    source.write_text(html, encoding="utf-8")
    out = folder / "notice.pdf"
    subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={folder / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            source.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out.read_bytes()


def notice_html(paragraphs: list[str], title: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        "<style>body{font-family:'Noto Serif CJK SC',serif;font-size:16pt}</style>"
        f"<title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"
    )


def docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


OFD_NS = "http://www.ofdspec.org/2016"


def ofd_bytes(pages: list[list[str]]) -> bytes:
    """An OFD package as GB/T 33190 lays it out: OFD.xml → Doc_0/Document.xml → Pages/Page_N/Content.xml,
    each line of a page a TextObject (one per character on the first line, as converters write them)."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "OFD.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<ofd:OFD xmlns:ofd="{OFD_NS}" Version="1.0" DocType="OFD">'
            "<ofd:DocBody><ofd:DocInfo><ofd:DocID>0</ofd:DocID></ofd:DocInfo>"
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        listed = "".join(
            f'<ofd:Page ID="{n + 10}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(pages))
        )
        package.writestr(
            "Doc_0/Document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{OFD_NS}"><ofd:CommonData>'
            "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData>"
            f"<ofd:Pages>{listed}</ofd:Pages></ofd:Document>",
        )
        for n, lines in enumerate(pages):
            objects = []
            object_id = 100
            for row, line in enumerate(lines):
                y = 30 + row * 8
                pieces = list(line) if row == 0 else [line]
                for column, piece in enumerate(pieces):
                    object_id += 1
                    x = 20 + column * 5
                    objects.append(
                        f'<ofd:TextObject ID="{object_id}" Boundary="{x} {y} 170 6" Font="1" Size="5">'
                        f'<ofd:TextCode X="0" Y="4.5">{piece}</ofd:TextCode></ofd:TextObject>'
                    )
            package.writestr(
                f"Doc_0/Pages/Page_{n}/Content.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{OFD_NS}"><ofd:Content>'
                f'<ofd:Layer ID="2">{"".join(objects)}</ofd:Layer></ofd:Content></ofd:Page>',
            )
    return out.getvalue()
