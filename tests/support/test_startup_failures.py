"""Start-up faults end in one clear line (CLI) or a fast LaunchError (harness)."""

import socket
import subprocess
import sys
import time

import pytest

from support.drivers.launcher import EmbeddedSystem, LaunchError

pytestmark = [pytest.mark.process, pytest.mark.http]


def run_cli(*args, env_extra, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "QUANTDESK_DATA_DIR": str(tmp_path), **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "quantdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_unreachable_database_is_one_line_naming_the_url_without_password(tmp_path):
    result = run_cli(
        "serve",
        "--port",
        "0",
        tmp_path=tmp_path,
        env_extra={
            "QUANTDESK_DATABASE_URL": "postgresql+psycopg://qd:hunter2@127.0.0.1:1/quantdesk"
        },
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "postgresql+psycopg://qd:***@127.0.0.1:1/quantdesk" in lines[0]
    assert "hunter2" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("broker-sim", "--port", str(port), tmp_path=tmp_path, env_extra={})
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_harness_fails_fast_when_a_port_is_taken():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(LaunchError, match="cannot listen"):
            EmbeddedSystem(platform_port=taken.getsockname()[1]).start()


def test_harness_fails_fast_with_output_when_the_platform_dies():
    started = time.monotonic()
    # SQLite under /proc cannot be created: the platform exits during start-up.
    system = EmbeddedSystem(database_url="sqlite:////proc/quantdesk-none/q.db")
    with pytest.raises(LaunchError) as failure:
        system.start()
    assert time.monotonic() - started < 15
    assert "quantdesk exited with status 1" in str(failure.value)
    assert "cannot use database" in str(failure.value)
