"""`streamlit run` with the training lab's live tick changed, for bench_lab_live.py: one frame
per fragment run, the fragment rerunning every LAB_TICK_SECONDS (default 0.2 s), instead of a
second's frames per run. The other way to reach five redraws a second, measured beside ours.

    python benchmarks/lab_live_server.py run app.py --server.port 8600 ...
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.web.cli import main  # noqa: E402

from analysis.training import live  # noqa: E402

if __name__ == "__main__":
    live.TICK_INTERVAL_SECONDS = float(os.environ.get("LAB_TICK_SECONDS", "0.2"))
    live.FRAMES_PER_TICK = int(os.environ.get("LAB_FRAMES_PER_TICK", "1"))
    # the same share of the server for training: 0.3 s of work a second, in smaller ticks
    live.TICK_BUDGET_SECONDS = live.TICK_BUDGET_SECONDS * live.TICK_INTERVAL_SECONDS
    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(main())
