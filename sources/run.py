"""Run one engine computation with its timing, progress and a way to stop it.

The computation runs in a worker thread while the caller's thread polls: `poll(progress)`
is called every `interval` seconds with the fraction done (None when the engine cannot
tell). If `poll` raises (a page's script was stopped because the user pressed Cancel or
left), the engine is told to stop the query before the exception goes on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sources import adapter

T = TypeVar("T")
STOP_WAIT_SECONDS = 2.0


@dataclass(frozen=True)
class Computed(Generic[T]):
    """A result and where it came from: the engine, the source and the seconds it took."""

    value: T
    engine: str
    source: str
    seconds: float

    @property
    def provenance(self) -> str:
        return f"computed by {self.engine} on source {self.source} in {self.seconds:.2f} s"


def run_query(conn: adapter.Connection, compute: Callable[[], T], *,
              poll: Callable[[float | None], None] | None = None,
              interval: float = 0.2) -> Computed[T]:
    """`compute()` on the engine; stopped on the engine when `poll` raises."""
    box: dict[str, object] = {}

    def work() -> None:
        try:
            box["value"] = compute()
        except BaseException as err:  # handed to the caller's thread below
            box["error"] = err

    started = time.perf_counter()
    worker = threading.Thread(target=work, name=f"source-{conn.source.name}", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(interval)
            if worker.is_alive() and poll is not None:
                poll(adapter.progress(conn))
    except BaseException:
        adapter.interrupt(conn)
        worker.join(STOP_WAIT_SECONDS)
        raise
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return Computed(box["value"], conn.source.engine, conn.source.name,  # type: ignore[arg-type]
                    time.perf_counter() - started)
