"""Live redraws of the training lab in headless Chromium, against the previous approach.

Each variant runs on a fresh `streamlit run` server, one after the other: the page opens the
default experiment, presses Play and is watched for `--seconds` (default 20). A sampler in
the page looks at every animation frame and counts the changes of

* the chart data (ours: the drawing component's data-frame-count; the previous page: the
  path of the cost curve in its plotly chart), and
* the epoch counter (ours: data-epoch; the previous page: the Epoch metric's text);

psutil measures the server process's CPU seconds over the same window (and Chromium's).
Variants:

* previous  - the page at `--base` (default 7f84fe2, before the drawing component): plotly
              figures re-rendered by the live fragment every 0.8 s;
* frames    - this tree: one fragment run a second, ten frames played by the browser;
* per-run   - this tree with one frame per fragment run every 0.2 s
              (benchmarks/lab_live_server.py): the other way to five redraws a second.

    python benchmarks/bench_lab_live.py [--seconds 20] [--base 7f84fe2] [--only frames,previous]

Prints a table and the ratios to `previous`; nothing is written outside a temporary folder.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, AppServer  # noqa: E402

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"

# Runs in the page: one sample per animation frame of (chart signature, epoch text).
SAMPLER = """(kind) => {
  const ours = () => {
    for (const host of document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')) {
      const root = host.shadowRoot && host.shadowRoot.querySelector('.lab-live[data-kind="live"]');
      if (root) return [root.dataset.frameCount || '', root.dataset.epoch || ''];
    }
    return ['', ''];
  };
  const previous = () => {
    const chart = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
      .find((c) => c.textContent.includes('Cost and error'));
    const line = chart && chart.querySelector('.scatterlayer .trace path.js-line');
    const metric = [...document.querySelectorAll('[data-testid="stMetric"]')]
      .find((m) => m.textContent.startsWith('Epoch'));
    const value = metric && metric.querySelector('[data-testid="stMetricValue"]');
    return [line ? line.getAttribute('d') : '', value ? value.textContent : ''];
  };
  const read = kind === 'previous' ? previous : ours;
  const log = window.__live = { chart: 0, epoch: 0, last: read(), first: read(), samples: 0 };
  const tick = () => {
    const now = read();
    if (now[0] !== log.last[0]) log.chart += 1;
    if (now[1] !== log.last[1]) log.epoch += 1;
    log.last = now;
    log.samples += 1;
    if (!log.stop) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


class PerRunServer(AppServer):
    """This tree, one frame per fragment run every 0.2 s."""

    launcher = (str(ROOT / "benchmarks" / "lab_live_server.py"),)


class PreviousServer(AppServer):
    """The page as it was at a git revision, unpacked into a folder of its own."""

    def __init__(self, tree: Path, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tree = tree

    def start(self) -> AppServer:
        import tests.e2e.conftest as conftest

        original = conftest.ROOT
        conftest.ROOT = self.tree  # AppServer runs `streamlit run app.py` in ROOT
        try:
            return super().start()
        finally:
            conftest.ROOT = original


def unpack(revision: str, folder: Path) -> Path:
    """The tracked files of `revision` (git archive), without touching the worktree."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision],
                             check=True, capture_output=True).stdout
    tree = folder / f"tree-{revision}"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def chromium_cpu() -> float:
    """CPU seconds of every Chromium process started by this script so far."""
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            if "chrom" in child.name().lower():
                times = child.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            continue
    return total


def watch(page: Page, server: AppServer, kind: str, seconds: float) -> dict[str, float]:
    """Play the default experiment and count redraws for `seconds`."""
    page.goto(f"{server.url}/training-lab?until=1000000")
    page.wait_for_selector(IDLE, timeout=120_000)
    page.get_by_role("button", name="Play").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=60_000)
    page.wait_for_timeout(3000)  # past the first, small, measuring tick
    process = psutil.Process(server.process.pid)
    cpu0, browser0 = sum(process.cpu_times()[:2]), chromium_cpu()
    page.evaluate(SAMPLER, kind)
    began = time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    log = page.evaluate("() => { window.__live.stop = true; return window.__live; }")
    wall = time.perf_counter() - began
    cpu, browser = sum(process.cpu_times()[:2]) - cpu0, chromium_cpu() - browser0
    epochs = (_epoch(log["last"][1]) - _epoch(log["first"][1])) / wall
    return {"redraws": log["chart"] / wall, "counter": log["epoch"] / wall,
            "server_cpu": cpu, "server_share": cpu / wall, "browser_cpu": browser,
            "epochs": epochs, "animation_frames": log["samples"] / wall}


def _epoch(text: str) -> float:
    digits = "".join(ch for ch in text if ch.isdigit())
    return float(digits) if digits else 0.0


def run(name: str, server: AppServer, browser, seconds: float) -> dict[str, float]:
    server.start()
    try:
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        context.set_default_timeout(120_000)
        result = watch(context.new_page(), server, "previous" if name == "previous" else "ours",
                       seconds)
        context.close()
        return result
    finally:
        server.stop()


def table(results: dict[str, dict[str, float]]) -> str:
    base = results.get("previous")
    lines = [f"{'variant':<10}{'redraws/s':>11}{'counter/s':>11}{'epochs/s':>10}"
             f"{'server CPU s':>14}{'share':>8}{'browser CPU s':>15}{'rAF/s':>8}"]
    for name, r in results.items():
        lines.append(f"{name:<10}{r['redraws']:>11.2f}{r['counter']:>11.2f}{r['epochs']:>10.0f}"
                     f"{r['server_cpu']:>14.2f}{r['server_share']:>8.0%}{r['browser_cpu']:>15.2f}"
                     f"{r['animation_frames']:>8.1f}")
    if base:
        lines.append("")
        for name, r in results.items():
            if name == "previous":
                continue
            lines.append(
                f"{name} / previous: redraws {r['redraws'] / max(base['redraws'], 1e-9):.1f}x, "
                f"counter updates {r['counter'] / max(base['counter'], 1e-9):.1f}x, server CPU "
                f"{r['server_cpu'] / max(base['server_cpu'], 1e-9):.2f}x, browser CPU "
                f"{r['browser_cpu'] / max(base['browser_cpu'], 1e-9):.2f}x, epochs/s "
                f"{r['epochs'] / max(base['epochs'], 1e-9):.2f}x")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--base", default="7f84fe2", help="revision of the previous approach")
    parser.add_argument("--only", default="previous,frames,per-run")
    args = parser.parse_args()
    wanted = [v.strip() for v in args.only.split(",") if v.strip()]
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-lab-live-") as tmp, sync_playwright() as pw:
        folder = Path(tmp)
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        servers = {
            "previous": lambda: PreviousServer(unpack(args.base, folder), folder / "p.sqlite",
                                               folder / "previous.log"),
            "frames": lambda: AppServer(folder / "f.sqlite", folder / "frames.log"),
            "per-run": lambda: PerRunServer(folder / "r.sqlite", folder / "per-run.log"),
        }
        for name in wanted:
            results[name] = run(name, servers[name](), browser, args.seconds)
            print(f"{name}: {results[name]['redraws']:.2f} redraws/s", flush=True)
        browser.close()
    print(f"\nload average before the last variant ended: {psutil.getloadavg()[0]:.1f} "
          f"on {psutil.cpu_count()} cores; {args.seconds:.0f} s per variant\n")
    print(table(results))


if __name__ == "__main__":
    main()
