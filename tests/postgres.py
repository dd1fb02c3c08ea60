"""A throwaway PostgreSQL server for the tests: initdb + pg_ctl on a free localhost port.

Debian's `postgresql` package puts its binaries in /usr/lib/postgresql/<major>/bin. PostgreSQL
refuses to run as root, so under root the server runs as the `postgres` user (runuser) in a
temporary directory handed to that user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa

BIN_GLOB = "/usr/lib/postgresql/*/bin/initdb"


def find_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's bin directory, None when there is none."""
    found = sorted(Path("/").glob(BIN_GLOB.lstrip("/")),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """One server in a temp dir; `new_database()` gives each test a database of its own."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="workbench-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as, *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed:\n{done.stdout}\n{done.stderr}\n"
                               f"{self._log_tail()}")

    def _log_tail(self) -> str:
        log = self.root / "server.log"
        return log.read_text()[-2000:] if log.exists() else ""

    def start(self) -> PostgresServer:
        """initdb, then pg_ctl start (waits until the server accepts connections)."""
        if self._as:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(str(self.bin_dir / "initdb"), "-D", str(self.data), "-A", "trust",
                  "-U", "postgres", "-E", "UTF8", "--no-sync")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=200")
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.root / "server.log"), "-o", options, "-w", "-t", "120", "start")
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh empty database; its URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        return self.url(name)

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        try:
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                      "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
