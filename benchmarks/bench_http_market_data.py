"""Market-data pipeline through HTTP, on the embedded platform (SQLite unless
``--database-url`` names PostgreSQL): server-side times of real uploads.

Run: ``.venv/bin/python -m benchmarks.bench_http_market_data [--quick] [--database-url URL]``
(also part of ``make bench``).

1. one symbol, 5,000 synthetic daily bars (0.1 % broken rows): upload (ingest +
   validate + store, the run's ``duration_ms`` measured by the server) + the full
   indicator panel over all 5,000 sessions (request wall time on loopback, an upper
   bound of its server time); target < 0.5 s; median of 5, each a new symbol;
2. rows/s at 10^4, 10^5 and 10^6 bars (2, 20, 200 symbols x 5,000 sessions), each one
   upload run as an operation: server time is the run's ``duration_ms``; also the
   wall time from the first byte sent to the operation seen done; target 10^6 < 20 s;
3. peak resident memory of the platform process (``VmHWM``); target < 2 GiB.

The platform is started with a 512 MiB upload limit (a 10^6-bar CSV is ~65 MiB).
Writes benchmarks/results/market_data_http.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import httpx

from benchmarks.bench_market_data import synthetic_bars
from benchmarks.bench_startup import reference_seconds
from support.drivers.launcher import EmbeddedSystem

RESULTS = Path(__file__).resolve().parent / "results" / "market_data_http.json"
SESSIONS = 5_000
GIB = 1024**3


def _peak_rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _csv(n_symbols: int, prefix: str) -> bytes:
    frame = synthetic_bars(n_symbols, SESSIONS)
    frame["symbol"] = frame["symbol"].str.replace("S", prefix, n=1, regex=False)
    return frame.to_csv(index=False).encode()


class Bench:
    def __init__(self, system: EmbeddedSystem) -> None:
        self.http = httpx.Client(
            base_url=system.base_url, timeout=300, headers={"X-API-Key": system.operator_key}
        )

    def upload(self, content: bytes, *, as_operation: bool) -> tuple[dict, float]:
        started = time.perf_counter()
        answer = self.http.post(
            "/v1/market-data/ingestions",
            content=content,
            params={"kind": "full", "as_operation": str(as_operation).lower()},
            headers={"Content-Type": "text/csv"},
        )
        answer.raise_for_status()
        body = answer.json()
        if answer.status_code == 202:
            deadline = time.monotonic() + 300
            while not body["done"]:
                assert time.monotonic() < deadline, f"operation not done: {body}"
                time.sleep(0.02)  # poll interval under a deadline
                body = self.http.get(f"/v1/operations/{body['id']}").json()
            assert body["status"] == "succeeded", body
            body = body["result"]
        return body, time.perf_counter() - started

    def indicators_seconds(self, symbol: str) -> float:
        started = time.perf_counter()
        answer = self.http.get("/v1/market-data/indicators", params={"symbol": symbol})
        answer.raise_for_status()
        assert len(answer.json()["items"]) > 4_900
        return time.perf_counter() - started


def run(quick: bool = False, database_url: str | None = None) -> dict:
    os.environ.setdefault("QUANTDESK_MARKET_DATA_MAX_UPLOAD_BYTES", str(512 * 1024 * 1024))
    reference = reference_seconds()
    system = EmbeddedSystem(database_url=database_url).start()
    try:
        bench = Bench(system)
        pid = next(p for p in system.processes if p.name == "quantdesk").process.pid
        one = []
        for i in range(6):  # the first is a warm-up (imports, calendar, pandera schemas)
            content = _csv(1, f"ONE{i}_")
            run_, wall = bench.upload(content, as_operation=False)
            indicators = bench.indicators_seconds(run_["symbols"][0])
            one.append(
                {
                    "ingest_server_s": run_["duration_ms"] / 1000,
                    "indicators_s": indicators,
                    "total_s": run_["duration_ms"] / 1000 + indicators,
                    "upload_wall_s": wall,
                    "inserted": run_["inserted"],
                    "rejected": run_["rejected"],
                }
            )
        one = one[1:]
        single = {
            key: round(statistics.median(r[key] for r in one), 4)
            for key in ("ingest_server_s", "indicators_s", "total_s", "upload_wall_s")
        }
        single.update(rows=SESSIONS, target_s=0.5, runs=len(one))
        print(
            f"5,000 bars, 1 symbol: ingest {single['ingest_server_s']:.3f} s (server) + "
            f"indicators {single['indicators_s']:.3f} s = {single['total_s']:.3f} s"
        )
        scaling = []
        for n_symbols in (2, 20) + (() if quick else (200,)):
            content = _csv(n_symbols, f"M{n_symbols}_")
            run_, wall = bench.upload(content, as_operation=True)
            rows = n_symbols * SESSIONS
            server = run_["duration_ms"] / 1000
            scaling.append(
                {
                    "rows": rows,
                    "symbols": n_symbols,
                    "csv_mib": round(len(content) / 2**20, 1),
                    "server_s": round(server, 3),
                    "wall_s": round(wall, 3),
                    "rows_per_second_server": round(rows / server),
                    "rows_per_second_wall": round(rows / wall),
                    "inserted": run_["inserted"],
                    "rejected": run_["rejected"],
                }
            )
            print(
                f"{rows:>9,} bars: server {server:7.2f} s ({rows / server:>9,.0f} rows/s), "
                f"wall {wall:7.2f} s ({rows / wall:>9,.0f} rows/s), {len(content) / 2**20:.0f} MiB"
            )
            del content
        peak = _peak_rss_bytes(pid)
        print(f"platform peak RSS (VmHWM): {peak / 2**20:.0f} MiB")
    finally:
        system.stop()
    checks = {"one_symbol_under_0.5s": single["total_s"] < 0.5}
    if not quick:
        million = scaling[-1]
        checks["million_under_20s"] = million["wall_s"] < 20
        checks["million_under_2GiB"] = peak < 2 * GIB
    for check, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {check}")
    report = {
        "benchmark": "market_data_http",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "database": "postgresql" if database_url else "sqlite",
        "reference_import_floor_s": round(reference, 3),
        "one_symbol_5000": {
            **single,
            "ratio_to_reference": round(single["total_s"] / reference, 3),
        },
        "scaling": scaling,
        "platform_peak_rss_mib": round(peak / 2**20),
        "checks": checks,
    }
    if not quick:
        report["million"] = {
            "median_s": scaling[-1]["wall_s"],
            "ratio_to_reference": round(scaling[-1]["wall_s"] / reference, 3),
            "target_s": 20.0,
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 10^6 case")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    report = run(quick=args.quick, database_url=args.database_url)
    return 0 if all(report["checks"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
