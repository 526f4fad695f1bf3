"""Rendering benchmarks (issue 14), on this machine, against loopback sites.

1. `--render auto` on pages that need no render vs `--render never` (same pages, runs in turn).
2. Rendered capture of challenged pages (a 521 script sets a cookie and reloads) vs Playwright
   alone loading the same pages in the same Chromium (no recording), both with two pages at once;
   pages/minute and Chromium's total RSS. Two sites: one whose clearance holds for every page
   (Jiasule, WZWS, Aliyun work so: after the first render the site session's cookies pass the
   rest), one that challenges every page (each page rendered: the recorder's own cost).
3. Chromium's RSS over each challenged crawl: mean of the samples taken while the first 100 pages
   were fetched vs while the last 100 were.

    .venv/bin/python bench/render_bench.py [--plain 1500] [--challenged 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from run import measure, median_of  # noqa: E402

from archive_store.crawl.render.browser import CHROMIUM_FLAGS, find_chromium  # noqa: E402
from sourcekeeper.demo.rawsite import ServedSite  # noqa: E402

BIN = Path(sys.executable).parent
# the benchmark sites are on loopback, which the crawl refuses by default (issue 16)
os.environ.setdefault("ARCHIVE_ALLOW_PRIVATE", "127.0.0.0/8")
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-q"]
# media off: the corpus pages link audio and video on hosts that do not resolve here, and those
# DNS failures (seconds each, varying) would swamp what is measured
PLAIN = [
    "-s",
    "CONCURRENT_REQUESTS=16",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "--no-extract",
    "-s",
    "ARCHIVE_MEDIA_ENABLED=False",
]


def auto_vs_never(pages: int, repeat: int, work: Path) -> None:
    from benchsite import page_urls  # noqa: PLC0415

    with ServedSite("bench/benchsite.py:ROUTES") as site:
        urls = work / "plain.txt"
        urls.write_text("\n".join(page_urls(site.base_url, pages)) + "\n")
        runs: dict[str, list] = {"never": [], "auto": []}
        for attempt in range(repeat):
            for mode in ("never", "auto"):
                archive = work / f"plain-{mode}-{attempt}"
                argv = [str(BIN / "sourcekeeper"), "archive", "--archive", str(archive), "--seeds", str(urls)]
                runs[mode].append(measure(f"--render {mode}", [*argv, "--render", mode, *PLAIN, *FAST]))
                shutil.rmtree(archive, ignore_errors=True)
    never, auto = median_of(runs["never"]), median_of(runs["auto"])
    ratios = [a.wall / n.wall for n, a in zip(runs["never"], runs["auto"], strict=True)]
    print(f"\n1. {pages} pages needing no render (--no-extract, 16 in flight)")
    print(never.row())
    print(auto.row())
    print(
        f"   auto / never: {auto.wall / never.wall:.3f} (medians); round by round "
        f"{statistics.median(ratios):.3f} ({', '.join(f'{r:.3f}' for r in ratios)})"
    )


def chromium_rss_kb(root: int) -> int:
    """Total RSS of the Chromium processes under `root` (the browser and its renderers)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    total, stack = 0, list(children.get(root, []))
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            if b"chromium" not in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]:
                continue
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


# the two challenged sites of bench/render_benchsite.py: (route, what it is, requests per page that
# reach the site in a rendered crawl once the site has a session)
SITES = {
    "clearance": (
        "/c/",
        "challenged, the clearance cookie holds for the whole site (Jiasule, WZWS, Aliyun)",
        1,
    ),
    "each": ("/r/", "challenged page by page (every page rendered)", 2),
}


def rendered_crawl(pages: int, site_kind: str, work: Path, *, snapshots: bool = True) -> float:
    """One crawl of the challenged site; its wall time. Without `snapshots` the render keeps only
    the exchanges and the provenance (ARCHIVE_RENDER_SNAPSHOTS=""): the recorder's own cost."""
    route, what, hits_per_page = SITES[site_kind]
    with ServedSite("bench/render_benchsite.py:ROUTES") as site:
        urls = work / f"{site_kind}.txt"
        urls.write_text("\n".join(f"{site.url(route)}{n}.html" for n in range(pages)) + "\n")
        archive = work / site_kind
        argv = [str(BIN / "sourcekeeper"), "archive", "--archive", str(archive), "--seeds", str(urls)]
        argv += ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "ARCHIVE_RENDER_CONCURRENCY=2", *FAST]
        if not snapshots:
            argv += ["-s", "ARCHIVE_RENDER_SNAPSHOTS="]
            what += ', no screenshot/PDF/DOM (ARCHIVE_RENDER_SNAPSHOTS="")'
        samples: list[tuple[int, int]] = []  # (pages seen by the site so far, Chromium RSS kB)
        done = threading.Event()

        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

        def sample() -> None:
            while not done.is_set():
                rss = chromium_rss_kb(proc.pid)
                if rss:
                    hits = site.hits()
                    samples.append((sum(v for k, v in hits.items() if k.startswith(route)), rss))
                done.wait(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, stderr = proc.communicate()
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        if proc.returncode != 0:
            print(stderr[-2000:], file=sys.stderr)
        hits = sum(v for k, v in site.hits().items() if k.startswith(route))
    renders = rendered_pages(archive)
    shutil.rmtree(archive, ignore_errors=True)
    first = [rss for seen, rss in samples if seen <= 100 * hits_per_page]
    last = [rss for seen, rss in samples if seen > (pages - 100) * hits_per_page]
    print(f"\n2. {pages} pages {what}; 2 renders at once")
    print(
        f"   sourcekeeper archive: {wall:.1f} s, {pages / wall * 60:.0f} pages/min, "
        f"{renders} pages rendered, {hits} requests reached the site"
    )
    if samples:
        print(f"   Chromium RSS: peak {max(r for _, r in samples) / 1024:.0f} MB")
    if first and last and pages >= 200:
        ratio = statistics.mean(last) / statistics.mean(first)
        print(
            f"3. Chromium RSS, first 100 pages {statistics.mean(first) / 1024:.0f} MB, last 100 "
            f"{statistics.mean(last) / 1024:.0f} MB: ratio {ratio:.2f}"
        )
    return wall


def challenged_rounds(pages: int, site_kind: str, repeat: int, work: Path) -> None:
    """Rounds of (our crawl, [our crawl without snapshots,] Playwright alone loading the pages), one
    after the other, so a busy spell of a shared machine falls on both sides of a ratio; the
    median of the rounds' ratios. Playwright alone doing the same snapshots runs once."""
    route = SITES[site_kind][0]
    ratios: dict[str, list[float]] = {}
    for _ in range(repeat):
        walls = {"": rendered_crawl(pages, site_kind, work)}
        if site_kind == "each":  # every page rendered: the snapshots' share, and the rest
            walls[" without snapshots"] = rendered_crawl(pages, site_kind, work, snapshots=False)
        alone = asyncio.run(playwright_alone(pages, route, snapshots=False))
        print(f"   Playwright alone, loading only: {alone:.1f} s, {pages / alone * 60:.0f} pages/min")
        for label, wall in walls.items():
            ratios.setdefault(label, []).append(wall / alone)
            print(f"   rendered capture{label} / Playwright alone (loading only): {wall / alone:.2f}")
    print(f"\n   {site_kind}: median of {repeat} rounds")
    for label, found in ratios.items():
        each = ", ".join(f"{r:.2f}" for r in found)
        median = statistics.median(found)
        print(f"   rendered capture{label} / Playwright alone loading: {median:.2f} ({each})")
    alone = asyncio.run(playwright_alone(pages, route, snapshots=True))
    rate = pages / alone * 60
    print(f"   Playwright alone, loading + screenshot + PDF + DOM: {alone:.1f} s, {rate:.0f} pages/min")


def rendered_pages(archive: Path) -> int:
    """Renders the crawl made: its provenance records in the index (one per rendered page)."""
    import sqlite3  # noqa: PLC0415

    with sqlite3.connect(archive / "index.sqlite3") as db:
        (count,) = db.execute("select count(*) from rendered_records where kind = 'provenance'").fetchone()
    return int(count)


async def playwright_alone(pages: int, route: str, snapshots: bool) -> float:
    from playwright.async_api import async_playwright  # noqa: PLC0415

    with ServedSite("bench/render_benchsite.py:ROUTES") as site:
        # from the driver's start: our figure includes starting the crawl and its browser too
        start = time.perf_counter()
        async with async_playwright() as driver:
            browser = await driver.chromium.launch(
                # the same flags but the dead proxy: this browser fetches the pages itself
                executable_path=find_chromium(),
                args=[f for f in CHROMIUM_FLAGS if not f.startswith("--proxy")],
                chromium_sandbox=False,
            )
            context = await browser.new_context()
            queue: asyncio.Queue[str] = asyncio.Queue()
            for n in range(pages):
                queue.put_nowait(f"{site.url(route)}{n}.html")

            async def worker() -> None:
                page = await context.new_page()
                while not queue.empty():
                    url = queue.get_nowait()
                    await page.goto(url, wait_until="commit")
                    await page.wait_for_selector(".TRS_Editor", timeout=30000)
                    await page.wait_for_load_state("load")
                    if snapshots:  # what sourcekeeper keeps of every rendered page
                        await page.content()
                        await page.screenshot(full_page=True)
                        await page.pdf(format="A4", print_background=True)
                await page.close()

            await asyncio.gather(worker(), worker())
            await browser.close()
        wall = time.perf_counter() - start
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plain", type=int, default=1500, help="pages needing no render")
    parser.add_argument("--challenged", type=int, default=200, help="challenged pages")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sites", default="clearance,each", help="challenged sites: clearance, each")
    args = parser.parse_args()
    if find_chromium() is None:
        sys.exit("render_bench: Chromium is not installed (apt-get install chromium)")
    work = Path(tempfile.mkdtemp(prefix="render-bench-"))
    try:
        if args.plain:
            auto_vs_never(args.plain, args.repeat, work)
        for site_kind in args.sites.split(",") if args.challenged else []:
            challenged_rounds(args.challenged, site_kind, args.repeat, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
