"""The platform answers only what its OpenAPI document declares, under a bounded fuzz.

Schemathesis (settings in ``schemathesis.toml`` next to this file: fixed seed, bounded
examples, one worker) generates requests for every operation of ``/openapi.json`` of
the embedded platform and checks each answer: no server error, a declared status code,
a body that matches the declared schema, a declared content type. It runs twice: once
with the operator key, once as a signed-in client. Each pass writes its figures to
``reports/contract/<caller>.json`` (schemathesis's JSON report), its console output to
``<caller>.txt`` and JUnit XML to ``<caller>.xml``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from support.drivers.launcher import REPO_ROOT, EmbeddedSystem

pytestmark = [pytest.mark.contract, pytest.mark.process, pytest.mark.http]

CONFIG = Path(__file__).with_name("schemathesis.toml")
REPORTS = REPO_ROOT / "reports" / "contract"
# Far above a normal pass (well under a minute); only a hung run gets here.
PASS_TIMEOUT_S = 600
PASSWORD = "fuzzing the contract"


@dataclass(frozen=True)
class Fuzzed:
    """The embedded system and the signed-in client the fuzz runs as."""

    system: EmbeddedSystem
    client_id: str
    client_token: str


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[Fuzzed]:
    # The contract as production serves it: test controls (clock, faults) are not part of
    # it, and a fuzzed clock would expire the very sign-in the client pass runs with.
    system = EmbeddedSystem(controls_enabled=False).start()
    try:
        with httpx.Client(base_url=system.base_url, timeout=10) as http:
            registered = http.post(
                "/v1/clients",
                headers={"X-API-Key": system.operator_key},
                json={
                    "full_name": "Contract Fuzz",
                    "email": "contract-fuzz@example.com",
                    "date_of_birth": "1985-04-12",
                    "country": "GB",
                    "risk_tolerance": "moderate",
                    "investment_horizon_years": 10,
                    "password": PASSWORD,
                },
            )
            assert registered.status_code == 201, registered.text
            session = http.post(
                "/v1/sessions", json={"email": "contract-fuzz@example.com", "password": PASSWORD}
            )
            assert session.status_code == 201, session.text
        yield Fuzzed(system, registered.json()["id"], session.json()["access_token"])
    finally:
        system.stop()


def run_schemathesis(fuzzed: Fuzzed, caller: str, header: str) -> dict:
    """One pass of ``st run`` as ``caller``; its JSON report (figures, failures)."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    report = REPORTS / f"{caller}.json"
    report.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(CONFIG),
        "--no-color",
        "run",
        f"{fuzzed.system.base_url}/openapi.json",
        "--header",
        header,
        "--report",
        "json,junit",
        "--report-json-path",
        str(report),
        "--report-junit-path",
        str(REPORTS / f"{caller}.xml"),
    ]
    env = {**os.environ, "QUANTDESK_FUZZ_CLIENT_ID": fuzzed.client_id}
    finished = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=PASS_TIMEOUT_S, check=False
    )
    output = finished.stdout + finished.stderr
    (REPORTS / f"{caller}.txt").write_text(output)
    assert report.exists(), f"schemathesis wrote no report (exit {finished.returncode}):\n{output}"
    figures = json.loads(report.read_text())
    cases = figures["test_cases"]
    print(
        f"contract fuzz as {caller}: {figures['operations']['tested']} operations, "
        f"{cases['generated']} cases, {cases['unique_failures']} failures, "
        f"{len(figures['errors'])} errors, {figures['running_time']:.1f} s (seed {figures['seed']})"
    )
    assert finished.returncode == 0 and figures["complete"], (
        f"schemathesis found problems as {caller} (exit {finished.returncode}); "
        f"the whole output is in {REPORTS / f'{caller}.txt'}:\n{output[-20000:]}"
    )
    return figures


def test_every_answer_to_an_operator_is_in_the_contract(fuzzed: Fuzzed) -> None:
    run_schemathesis(fuzzed, "operator", f"X-API-Key: {fuzzed.system.operator_key}")


def test_every_answer_to_a_signed_in_client_is_in_the_contract(fuzzed: Fuzzed) -> None:
    run_schemathesis(fuzzed, "client", f"Authorization: Bearer {fuzzed.client_token}")
