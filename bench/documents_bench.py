"""Document text on this machine: OCR pages per minute and text-layer pages per minute on 2 cores,
each beside its engine run alone on the same files, the OCR engines' character error rate on
photocopied 150-dpi scans, and the crawl's throughput with document text on (OCR off) against off.

    .venv/bin/python bench/documents_bench.py [--scans 8] [--pdfs 6] [--crawl-pages 600] [--repeat 3]

Scans and PDFs are made here (tests/document_samples.py: Noto CJK at 150 dpi, degraded like a
photocopy; notices printed to PDF by Chromium). Prints wall time and CPU time (user + system of
this process and its children) per figure. The figures in docs/documents.md came from this script.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(BENCH)]

import document_samples as samples  # noqa: E402

from pipelines.doctext.model import Limits  # noqa: E402
from pipelines.doctext.workers import DocumentJob, ReaderPool  # noqa: E402

CORES = 2


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def workers_cpu(pids: list[int]) -> float:
    """CPU seconds of live worker processes and the children they waited for (tesseract)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


class Timer:
    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = cpu_seconds() - self.cpu


def row(name: str, pages: int, timer: Timer, extra: str = "") -> None:
    per_minute = pages / timer.wall * 60
    # what 2 idle cores would do: the CPU a page takes, twice over (the machine is shared)
    ideal = pages / timer.cpu * 60 * CORES if timer.cpu else 0.0
    print(
        f"{name:44} {pages:4d} pages {timer.wall:7.1f} s wall {timer.cpu:7.1f} s CPU "
        f"{per_minute:7.1f} pages/min (CPU-bound on 2 idle cores: {ideal:7.1f}) {extra}"
    )


def _tesseract(path: str) -> str:
    out = subprocess.run(
        ["tesseract", path, "stdout", "-l", "chi_sim+eng", "--psm", "3"],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        check=False,
    )
    return out.stdout


def _pdfium_text(path: str) -> int:
    import pypdfium2 as pdfium  # noqa: PLC0415 (only this figure needs it)

    pdf = pdfium.PdfDocument(path)
    for page in pdf:
        page.get_textpage().get_text_bounded()
    count = len(pdf)
    pdf.close()
    return count


def ocr(work: Path, count: int) -> None:
    references, paths = [], []
    for n in range(count):
        path = work / f"scan{n}.png"
        path.write_bytes(samples.image_bytes(samples.scan(n % 2, seed=n), "PNG"))
        references.append(samples.notice_text(n % 2))
        paths.append(str(path))
    with Timer() as alone, ThreadPoolExecutor(CORES) as threads:
        texts = list(threads.map(_tesseract, paths))
    cer = sum(samples.character_error_rate(r, t) for r, t in zip(references, texts, strict=True)) / count
    row("tesseract alone (2 processes, no filter)", count, alone, f"CER {cer:.1%}")
    pool = ReaderPool(CORES, Limits())
    try:
        with ThreadPoolExecutor(CORES) as threads:  # both workers started and warm
            list(
                threads.map(lambda p: pool.read(DocumentJob(Path(p).read_bytes(), p, "image/png")), paths[:2])
            )
        with Timer() as ours, ThreadPoolExecutor(CORES) as threads:
            before = workers_cpu(pool.pids())
            docs = list(
                threads.map(lambda p: pool.read(DocumentJob(Path(p).read_bytes(), p, "image/png")), paths)
            )
        ours.cpu += workers_cpu(pool.pids()) - before
    finally:
        pool.close()
    cer = sum(samples.character_error_rate(r, d.text) for r, d in zip(references, docs, strict=True)) / count
    row("sourcekeeper OCR (2 readers, median filter)", count, ours, f"CER {cer:.1%}")
    try:
        from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-not-found]  # noqa: PLC0415
    except ImportError:
        print("rapidocr-onnxruntime not installed: its row is left out")
        return
    engine = RapidOCR()
    with Timer() as rapid:
        texts = ["\n".join(r[1] for r in (engine(p)[0] or [])) for p in paths]
    cer = sum(samples.character_error_rate(r, t) for r, t in zip(references, texts, strict=True)) / count
    row("rapidocr-onnxruntime alone (1 process)", count, rapid, f"CER {cer:.1%}")


def text_layer(work: Path, copies: int) -> None:
    paragraphs = [
        f"第{n}条　各单位要按照通知要求，认真做好海外人员劝返工作，每月报送进展情况。" * 3
        for n in range(1, 121)
    ]
    pdf = samples.chromium_pdf(samples.notice_html(paragraphs, "关于开展劝返工作的通知"), work)
    paths = []
    for n in range(copies):
        path = work / f"doc{n}.pdf"
        path.write_bytes(pdf)
        paths.append(str(path))
    with ProcessPoolExecutor(CORES) as processes:
        list(processes.map(_pdfium_text, paths[:2]))  # both processes started and warm, as ours are
        pids = list(processes._processes)  # the pool's own table: their CPU is read from /proc
        with Timer() as alone:
            before = workers_cpu(pids)
            pages = sum(processes.map(_pdfium_text, paths))
        alone.cpu += workers_cpu(pids) - before
    row("pypdfium2 text alone (2 processes)", pages, alone)
    pool = ReaderPool(CORES, Limits())
    try:
        with ThreadPoolExecutor(CORES) as threads:  # both workers started and warm
            list(threads.map(lambda p: pool.read(DocumentJob(Path(p).read_bytes(), p, None)), paths[:2]))
        with Timer() as ours, ThreadPoolExecutor(CORES) as threads:
            before = workers_cpu(pool.pids())
            docs = list(threads.map(lambda p: pool.read(DocumentJob(Path(p).read_bytes(), p, None)), paths))
        ours.cpu += workers_cpu(pool.pids()) - before
    finally:
        pool.close()
    row("sourcekeeper text layer (2 readers)", sum(d.page_count or 0 for d in docs), ours)


def crawl(work: Path, pages: int, repeat: int) -> None:
    from benchsite import page_urls  # noqa: PLC0415 (only this figure needs it)

    from sourcekeeper.demo.rawsite import ServedSite  # noqa: PLC0415 (only this figure needs it)

    os.environ["BENCH_PAGES"] = str(pages)
    command = [
        str(Path(sys.executable).parent / "sourcekeeper"),
        "archive",
        "-q",
        "-s",
        "ARCHIVE_ALLOW_PRIVATE=true",
        "-s",
        "CONCURRENT_REQUESTS=16",
    ]
    command += [
        "-s",
        "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
    ]
    ratios = []
    with ServedSite(f"{BENCH / 'benchsite.py'}:ROUTES", timeout=60) as site:
        urls = work / "urls.txt"
        urls.write_text("\n".join(page_urls(site.base_url, pages)) + "\n")
        for attempt in range(repeat):
            walls = {}
            for name, switch in (("off", "ARCHIVE_DOCUMENT_TEXT=False"), ("on", "ARCHIVE_OCR=never")):
                archive = work / f"crawl-{name}-{attempt}"
                start = time.perf_counter()
                # the corpus pages embed media of hosts that do not resolve here: the run exits 1
                subprocess.run(
                    [*command, "--archive", str(archive), "--seeds", str(urls), "-s", switch], check=False
                )
                walls[name] = time.perf_counter() - start
                shutil.rmtree(archive, ignore_errors=True)
            ratios.append(walls["on"] / walls["off"])
            off, on = walls["off"], walls["on"]
            print(f"crawl of {pages} pages: document text off {off:.1f} s, on (OCR off) {on:.1f} s")
    ratios.sort()
    each = ", ".join(f"{r:.3f}" for r in ratios)
    print(f"crawl time, document text on / off: median {ratios[len(ratios) // 2]:.3f} (each: {each})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=8)
    parser.add_argument("--pdfs", type=int, default=6)
    parser.add_argument("--crawl-pages", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    work = Path(tempfile.mkdtemp(prefix="sk-docbench-"))
    try:
        if args.scans:
            ocr(work, args.scans)
        if args.pdfs:
            text_layer(work, args.pdfs)
        if args.crawl_pages:
            crawl(work, args.crawl_pages, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
