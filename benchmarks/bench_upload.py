"""Upload-to-rendered time of big predictions files vs pandas.read_csv alone, same run.

For each size (1M and 5M rows by default) the script writes a seeded predictions CSV, times
pandas.read_csv on it (the floor: just parsing), then uploads the same file in headless
Chromium on the metrics page of a fresh app server and times until the metrics are drawn.
The figure is the ratio; the server's peak RSS (VmHWM) is reported too. The same upload is
timed once more on a server that does not save uploads (benchmarks/no_save_server.py): the
save runs in the background, so render time with the save on should be at most 1.1x that.

    python benchmarks/bench_upload.py                 # 1M and 5M rows
    python benchmarks/bench_upload.py --rows 1000000  # one size
    python benchmarks/bench_upload.py --repeat 3      # best of 3 per variant (default 2)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.corpus.make_corpus import big_predictions  # noqa: E402
from tests.e2e.big_upload_flow import peak_rss_mb, upload_and_render, wait_saved  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, AppServer  # noqa: E402


def pandas_seconds(path: Path) -> float:
    """pandas.read_csv alone on the file (default C engine), best of two."""
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        pd.read_csv(path)
        best = min(best, time.perf_counter() - started)
    return best


class NoSaveServer(AppServer):
    """The app with uploads kept in the session only (the render-time baseline)."""

    launcher = (str(ROOT / "benchmarks" / "no_save_server.py"),)


def render(server_class: type[AppServer], path: Path, folder: Path, browser,
           tag: str) -> tuple[float, float, str]:
    """Seconds from choosing the file to the metrics drawn, the server's peak RSS in MB, and
    the progress text shown, on a fresh server of `server_class`."""
    server = server_class(folder / f"store_{tag}.sqlite", folder / f"server_{tag}.log").start()
    try:
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        context.set_default_timeout(900_000)
        timing = upload_and_render(context.new_page(), server.url, path, "metrics")
        context.close()
        if server_class is AppServer:  # the peak includes the background save
            wait_saved(server.db_url, path.name)
        peak = peak_rss_mb(server.process.pid)
    finally:
        server.stop()
    return timing.seconds, peak, timing.progress_seen


def bench(rows: int, folder: Path, browser, repeat: int) -> dict[str, float | str]:
    """One size: the floor, then save off and save on alternately, best of `repeat` each
    (the best run is the one least disturbed by whatever else the machine is doing)."""
    path = big_predictions(rows, folder / f"bench_{rows}.csv")
    floor = pandas_seconds(path)
    unsaved, saved = [], []
    for attempt in range(repeat):
        unsaved.append(render(NoSaveServer, path, folder, browser, f"{rows}_off{attempt}"))
        saved.append(render(AppServer, path, folder, browser, f"{rows}_on{attempt}"))
    unsaved_s = min(run[0] for run in unsaved)
    seconds, peak, progress = min(saved)
    return {"rows": rows, "file_mb": round(path.stat().st_size / 1024**2, 1),
            "pandas_read_csv_s": round(floor, 2), "upload_to_rendered_s": round(seconds, 2),
            "ratio": round(seconds / floor, 2), "server_peak_rss_mb": round(peak),
            "render_save_off_s": round(unsaved_s, 2),
            "save_on_vs_off": round(seconds / unsaved_s, 2),
            "progress_shown": progress}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--repeat", type=int, default=2, help="runs per variant (best kept)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for rows in args.rows:
            results.append(bench(rows, Path(tmp), browser, args.repeat))
            print(json.dumps(results[-1]), flush=True)
        browser.close()
    print("\n| rows | file | pandas.read_csv | upload-to-rendered | ratio | server peak RSS "
          "| rendered, save off | save on / off (goal <= 1.1x) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['rows']:,} | {r['file_mb']} MB | {r['pandas_read_csv_s']} s | "
              f"{r['upload_to_rendered_s']} s | {r['ratio']}x | {r['server_peak_rss_mb']:,} MB "
              f"| {r['render_save_off_s']} s | {r['save_on_vs_off']}x |")


if __name__ == "__main__":
    main()
