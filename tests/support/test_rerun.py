"""The rerun file lists the failed scenarios where behave @file finds them."""

from __future__ import annotations

from support import rerun


def test_failed_scenarios_are_listed_relative_to_the_file_once_each_in_file_order(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "reports" / "rerun.txt"
    assert rerun.write(path, ["features/b.feature:9", "features/a.feature:12",
                              "features/a.feature:3", "features/b.feature:9"])  # fmt: skip
    assert rerun.read(path) == [
        "../features/a.feature:3", "../features/a.feature:12", "../features/b.feature:9"
    ]  # fmt: skip
    assert path.read_text().startswith("# ")


def test_a_run_without_failures_leaves_no_rerun_file(tmp_path):
    path = tmp_path / "rerun.txt"
    path.write_text("features/old.feature:1\n")
    assert not rerun.write(path, [])
    assert not path.exists()
    assert rerun.read(path) == []


def test_the_workers_files_merge_into_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    workers = tmp_path / "reports" / "parallel"
    rerun.write(workers / "rerun-1.txt", ["features/a.feature:5"])
    rerun.write(workers / "rerun-2.txt", ["features/a.feature:2", "features/c.feature:7"])
    rerun.write(workers / "rerun-3.txt", [])
    into = tmp_path / "reports" / "rerun.txt"
    assert rerun.merge(sorted(workers.glob("rerun-*.txt")), into)
    assert rerun.read(into) == [
        "../features/a.feature:2", "../features/a.feature:5", "../features/c.feature:7"
    ]  # fmt: skip
