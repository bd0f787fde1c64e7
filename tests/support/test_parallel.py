"""The parallel runner's scheduling and merging (support/parallel.py)."""

from __future__ import annotations

import argparse
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from support.parallel import (
    FEATURES,
    Scenario,
    deal,
    merge_junit,
    scenarios,
    selected,
    shard,
    shard_spec,
)


def _scenario(line: int, name: str, *tags: str) -> Scenario:
    return Scenario(f"features/x.feature:{line}", "features/x.feature", name, frozenset(tags))


def test_every_scenario_and_outline_row_is_listed_once_with_its_tags():
    found = scenarios(sorted(FEATURES.glob("*.feature")))
    assert len({s.location for s in found}) == len(found)
    exclusive = [s for s in found if "exclusive" in s.tags]
    assert exclusive and all(s.location.startswith("features/") for s in exclusive)
    # Tags of the feature and of an outline's examples reach each row.
    assert any("needs.controls" in s.tags for s in found)


def test_tags_select_as_behave_does():
    found = [_scenario(1, "a", "smoke"), _scenario(2, "b", "wip"), _scenario(3, "c")]
    assert [s.name for s in selected(found, [])] == ["a", "c"]
    assert [s.name for s in selected(found, ["@smoke"])] == ["a"]


def test_the_longest_scenarios_are_dealt_first_to_the_least_loaded_worker():
    work = [_scenario(i, f"s{i}") for i in range(1, 6)]
    times = {"s1": 5.0, "s2": 1.0, "s3": 4.0, "s4": 1.0, "s5": 3.0}
    buckets = deal(work, 2, times)
    loads = sorted(round(b.seconds, 1) for b in buckets)
    assert loads == [7.0, 7.0]
    for bucket in buckets:  # each worker keeps file order
        lines = [int(location.rsplit(":", 1)[1]) for location in bucket.locations]
        assert lines == sorted(lines)


def test_no_worker_is_started_without_work():
    assert len(deal([_scenario(1, "only")], 4, {})) == 1


def _suite(path: Path, cases: dict[str, str | None]) -> None:
    suite = ET.Element("testsuite", name="x", tests=str(len(cases)))
    for name, outcome in cases.items():
        case = ET.SubElement(suite, "testcase", classname="x", name=name, time="1.5")
        if outcome:
            ET.SubElement(case, outcome)
    path.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path / "TESTS-x.xml")


def test_junit_keeps_the_entry_of_the_process_that_ran_each_scenario(tmp_path):
    _suite(tmp_path / "one", {"a": None, "b": "skipped", "c": "failure"})
    _suite(tmp_path / "two", {"a": "skipped", "b": None, "c": "skipped"})
    merge_junit([tmp_path / "one", tmp_path / "two"], tmp_path / "merged")
    suite = ET.parse(tmp_path / "merged" / "TESTS-x.xml").getroot()
    outcomes = {c.get("name"): [child.tag for child in c] for c in suite.findall("testcase")}
    assert outcomes == {"a": [], "b": [], "c": ["failure"]}
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "0")
    assert suite.get("time") == "4.500000"


def test_shards_run_every_scenario_exactly_once_between_them():
    found = scenarios(sorted(FEATURES.glob("*.feature")))
    parts = [shard(found, k, 3) for k in (1, 2, 3)]
    locations = [s.location for part in parts for s in part]
    assert sorted(locations) == sorted(s.location for s in found)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


@pytest.mark.parametrize("text", ["0/2", "3/2", "1/0", "a/b", "2"])
def test_a_shard_outside_one_to_n_is_refused(text):
    with pytest.raises(argparse.ArgumentTypeError):
        shard_spec(text)


def test_a_shard_is_read_as_k_of_n():
    assert shard_spec("2/4") == (2, 4)


def test_a_worker_finds_the_logs_of_the_system_its_harness_started(tmp_path):
    from support.drivers.launcher import EmbeddedSystem, ManagedProcess

    system = EmbeddedSystem(work_dir=tmp_path)
    for name in ("broker-sim", "quantdesk"):
        log = tmp_path / f"{name}.log"
        log.write_text("before the scenario\n")
        system.processes.append(ManagedProcess(name=name, command=[], log_path=log))
    logs = ManagedProcess.logs_of(system.logs_listing())
    assert [(log.name, log.log_path) for log in logs] == [
        (m.name, m.log_path) for m in system.processes
    ]
    for log in logs:
        log.mark()
    with (tmp_path / "quantdesk.log").open("a") as out:
        out.write("during the scenario\n")
    assert [log.output_since_mark() for log in logs] == ["", "during the scenario"]
    assert ManagedProcess.logs_of("") == []
