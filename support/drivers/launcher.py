"""Starts the broker simulator and QuantDesk as real processes on loopback ports.

The launcher binds each listening socket itself (port 0 unless a port is asked for)
and hands it to the child as an inherited file descriptor: the port is known before
the child starts, both children start in parallel, and there is no window in which
another process can take the port.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]


class LaunchError(RuntimeError):
    """The embedded system could not be started; the message includes process output."""


# The variable a harness that started the system sets for the behave processes it runs,
# naming the system's log files (support/parallel.py).
SYSTEM_LOGS_ENV = "QUANTDESK_SYSTEM_LOGS"


@dataclass
class ManagedProcess:
    name: str
    command: list[str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    _log_offset: int = 0

    def output(self, max_lines: int = 80) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return "(no output)"
        return "\n".join(lines[-max_lines:]) or "(no output)"

    def mark(self) -> None:
        """Remember the end of the log so ``output_since_mark`` shows only newer lines."""
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0

    def output_since_mark(self, max_lines: int = 200) -> str:
        try:
            with self.log_path.open("rb") as handle:
                handle.seek(self._log_offset)
                text = handle.read().decode(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-max_lines:])

    @classmethod
    def logs_of(cls, listing: str) -> list[ManagedProcess]:
        """The logs of processes another harness started, from ``SYSTEM_LOGS_ENV``
        (``name=path;name=path``): a parallel worker attaches them as a serial run does."""
        found = []
        for item in filter(None, listing.split(";")):
            name, _, path = item.partition("=")
            found.append(cls(name=name, command=[], log_path=Path(path)))
        return found

    @property
    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def stop(self, timeout: float = 5.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)


def listening_socket(port: int = 0, host: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise LaunchError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.listen(1024)
    return sock


@dataclass
class EmbeddedSystem:
    """QuantDesk plus its simulated brokerage, started fresh for one test run."""

    database_url: str | None = None
    platform_port: int = 0
    broker_port: int = 0
    startup_timeout: float = 30.0
    controls_enabled: bool = True
    work_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="quantdesk-")))
    operator_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    # QuantDesk's OAuth client secret at the brokerage: both processes get the same one.
    broker_client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    base_url: str = ""
    broker_url: str = ""
    processes: list[ManagedProcess] = field(default_factory=list)
    _cleanups: list[Callable[[], None]] = field(default_factory=list)

    def start(self) -> EmbeddedSystem:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        broker_sock = listening_socket(self.broker_port)
        platform_sock = listening_socket(self.platform_port)
        self.broker_url = f"http://127.0.0.1:{broker_sock.getsockname()[1]}"
        self.base_url = f"http://127.0.0.1:{platform_sock.getsockname()[1]}"
        callback = f"{self.base_url}/v1/brokerage/callback"
        env = {
            **os.environ,
            "QUANTDESK_DATA_DIR": str(self.work_dir / "data"),
            "QUANTDESK_BROKER_URL": self.broker_url,
            "QUANTDESK_BROKER_CLIENT_ID": "quantdesk",
            "QUANTDESK_BROKER_CLIENT_SECRET": self.broker_client_secret,
            "QUANTDESK_BROKER_REDIRECT_URI": callback,  # the platform's callback ...
            "QUANTDESK_BROKER_REDIRECT_URIS": callback,  # ... registered at the broker
            "QUANTDESK_OPERATOR_KEY": self.operator_key,
            "QUANTDESK_CONTROLS_ENABLED": "true" if self.controls_enabled else "false",
            "PYTHONUNBUFFERED": "1",
        }
        # Market data: a 1 MiB upload limit, so the over-the-limit scenario stays fast.
        env.setdefault("QUANTDESK_MARKET_DATA_MAX_UPLOAD_BYTES", str(1024 * 1024))
        env.pop("QUANTDESK_DATABASE_URL", None)
        if self.database_url:
            env["QUANTDESK_DATABASE_URL"] = self._provision_database(self.database_url)
        (self.work_dir / "logs").mkdir(parents=True, exist_ok=True)
        try:
            for name, sock in (("broker-sim", broker_sock), ("serve", platform_sock)):
                self._spawn(name, sock, env)
        finally:
            broker_sock.close()
            platform_sock.close()
        self._wait_until_ready()

    def _spawn(self, command: str, sock: socket.socket, env: dict[str, str]) -> None:
        fd = sock.fileno()
        name = "quantdesk" if command == "serve" else command
        managed = ManagedProcess(
            name=name,
            command=[sys.executable, "-m", "quantdesk", command, "--fd", str(fd)],
            log_path=self.work_dir / "logs" / f"{name}.log",
        )
        with managed.log_path.open("wb") as log:
            managed.process = subprocess.Popen(
                managed.command,
                cwd=REPO_ROOT,
                env=env,
                pass_fds=(fd,),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(managed)

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        probes = [
            (self.broker_url + "/v1/health", "broker simulator"),
            (self.base_url + "/v1/ready", "QuantDesk"),
        ]
        last_seen = "no answer yet"
        with httpx.Client(timeout=2.0) as client:
            while probes:
                for managed in self.processes:
                    if managed.exited is not None:
                        raise LaunchError(
                            f"{managed.name} exited with status {managed.exited} during start-up."
                            f"\n--- {managed.name} output ---\n{managed.output()}"
                        )
                url, what = probes[0]
                try:
                    response = client.get(url)
                    if response.status_code == 200:
                        probes.pop(0)
                        continue
                    last_seen = f"{what} answered {response.status_code}: {response.text[:300]}"
                except httpx.HTTPError as exc:
                    last_seen = f"{what} did not answer ({type(exc).__name__})"
                if time.monotonic() > deadline:
                    outputs = "\n".join(
                        f"--- {m.name} output ---\n{m.output()}" for m in self.processes
                    )
                    raise LaunchError(
                        f"the embedded system was not ready within "
                        f"{self.startup_timeout:.0f} s; last: {last_seen}\n{outputs}"
                    )
                time.sleep(0.02)  # poll interval while waiting on the deadline

    def _provision_database(self, url: str) -> str:
        """A fresh PostgreSQL database per run (dropped at stop); other URLs are used as given."""
        from sqlalchemy import create_engine, make_url, text

        parsed = make_url(url)
        if parsed.get_backend_name() != "postgresql":
            return url
        name = f"quantdesk_accept_{secrets.token_hex(6)}"
        admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as exc:
            admin.dispose()
            shown = parsed.render_as_string(hide_password=True)
            raise LaunchError(f"cannot create a test database on {shown}: {exc}") from exc

        def drop() -> None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

        self._cleanups.append(drop)
        return parsed.set(database=name).render_as_string(hide_password=False)

    def logs_listing(self) -> str:
        """Where each process logs, for ``ManagedProcess.logs_of`` in another process."""
        return ";".join(f"{m.name}={m.log_path}" for m in self.processes)

    def stop(self) -> None:
        for managed in reversed(self.processes):
            managed.stop()
        for cleanup in reversed(self._cleanups):
            cleanup()
        self._cleanups.clear()
        shutil.rmtree(self.work_dir, ignore_errors=True)
