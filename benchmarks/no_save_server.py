"""`streamlit run` with uploads kept in the session only, never saved: the baseline against
which bench_upload.py measures what saving a big upload adds to the page's render time.

    python benchmarks/no_save_server.py run app.py --server.port 8600 ...
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.web.cli import main  # noqa: E402

import components.state as state  # noqa: E402

_add_predictions = state.add_predictions


def _add_without_saving(predictions: state.Predictions, *, make_active: bool = True,
                        persist: bool = True) -> None:
    """add_predictions with the save left out (app.py's modules import this one)."""
    _add_predictions(predictions, make_active=make_active, persist=False)


if __name__ == "__main__":
    state.add_predictions = _add_without_saving
    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(main())
