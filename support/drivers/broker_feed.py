"""Test controls of the simulated brokerage that the market-data scenarios use: the
outage switch and the feed's latency (only on targets started with controls)."""

from __future__ import annotations

from support.drivers.http import RecordingClient
from support.drivers.redaction import Redactor


class BrokerFeedControls:
    def __init__(self, broker_url: str, redactor: Redactor) -> None:
        self.http = RecordingClient(broker_url, redactor, system="broker-sim")

    def set_outage(self, down: bool) -> None:
        self.http.json("POST", "/v1/controls/outage", json={"down": down})

    def set_latency(self, milliseconds: int) -> None:
        self.http.json("POST", "/v1/controls/market-data", json={"latency_ms": milliseconds})

    def close(self) -> None:
        self.http.close()
