"""The mutation-testing tool: which mutants run, how outcomes are counted and reported."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from mutation.__main__ import ROOT, Targets, behave_command
from mutation.filters import excluded_reason, inert_spans, sample
from mutation.results import ModuleScore, Mutant, changed_lines, load_equivalents, table

SOURCE = """\
from pydantic import Field

def limit(value: int | None = None) -> int | None:
    if value > 40:
        return value + 1
    return Field(default=None, examples=[10], description="up to 40")
"""


def _start_of(text: str, needle: str) -> tuple[int, int]:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number, line.index(needle)
    raise AssertionError(needle)


def test_mutants_in_annotations_and_documentation_are_not_run():
    spans = inert_spans(SOURCE)
    for needle in ("int | None =", "int | None:", "[10]", '"up to 40"'):
        start = _start_of(SOURCE, needle)
        assert excluded_reason("core/NumberReplacer", start, spans), needle


def test_mutants_in_rules_are_run():
    spans = inert_spans(SOURCE)
    for needle in ("> 40", "+ 1"):
        start = _start_of(SOURCE, needle)
        assert excluded_reason("core/ReplaceComparisonOperator_Gt_GtE", start, spans) is None


@pytest.mark.parametrize(
    ("operator", "excluded"),
    [
        ("core/ReplaceBinaryOperator_Add_Sub", False),
        ("core/ReplaceBinaryOperator_Add_LShift", True),
        ("core/ReplaceBinaryOperator_Mul_Pow", True),
        ("core/ReplaceComparisonOperator_Lt_LtE", False),
        ("core/ReplaceComparisonOperator_Lt_Is", True),
        ("core/ReplaceComparisonOperator_Is_IsNot", False),
        ("core/ReplaceComparisonOperator_IsNot_Eq", True),
        ("core/ReplaceUnaryOperator_Delete_Not", False),
        ("core/ReplaceUnaryOperator_USub_UAdd", False),
        ("core/ReplaceUnaryOperator_UAdd_Invert", True),
        ("core/NumberReplacer", False),
        ("core/AddNot", False),
    ],
)
def test_operator_swaps_outside_the_rules_are_not_run(operator, excluded):
    assert (excluded_reason(operator, (99, 0), []) is not None) is excluded


def test_a_sample_is_seeded_and_sized():
    jobs = [f"job{i}" for i in range(200)]
    assert sample(jobs, 0.1, seed=3) == sample(list(reversed(jobs)), 0.1, seed=3)
    assert len(sample(jobs, 0.1, seed=3)) == 20
    assert len(sample(jobs, 7, seed=3)) == 7
    assert sample(jobs, 0.1, seed=3) != sample(jobs, 0.1, seed=4)
    assert len(sample(jobs, 0.0001, seed=3)) == 1


def test_changed_lines_of_a_unified_diff():
    diff = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-    if a > 1:\n+    if a >= 1:\n"
    assert changed_lines(diff) == ("if a > 1:", "if a >= 1:")
    assert changed_lines(None) == ("", "")


def test_an_equivalent_mutant_needs_a_reason(tmp_path: Path):
    listed = tmp_path / "equivalent.toml"
    listed.write_text(
        '[[mutant]]\nmodule = "m.py"\noperator = "core/AddNot"\nbefore = "a"\nafter = "b"\n'
        'reason = ""\n'
    )
    with pytest.raises(ValueError, match="reason"):
        load_equivalents(listed)
    listed.write_text(listed.read_text().replace('reason = ""', 'reason = "same answer"'))
    assert load_equivalents(listed)[("m.py", "core/AddNot", "a", "b")].reason == "same answer"


def test_the_committed_equivalents_all_have_reasons():
    load_equivalents(Path("mutation/equivalent.toml"))


def test_every_scoped_module_is_paired_with_features():
    assert Targets.load().unmapped() == []


def test_a_module_without_features_is_reported(tmp_path: Path):
    package = tmp_path / "quantdesk" / "domain"
    package.mkdir(parents=True)
    (package / "new_rules.py").write_text("X = 1\n")
    (tmp_path / "features").mkdir()
    targets = Targets(["quantdesk/domain"], 60, {})
    assert targets.unmapped(tmp_path) == ["quantdesk/domain/new_rules.py"]


def test_the_test_command_runs_only_the_paired_features_and_stops_at_the_first_failure():
    command = behave_command(["onboarding", "brokerage_link"])
    assert "--stop" in command
    assert command.endswith("features/onboarding.feature features/brokerage_link.feature")


def test_the_table_counts_equivalents_apart_and_totals_each_package():
    def mutant(outcome: str) -> Mutant:
        return Mutant("quantdesk/domain/a.py", 1, "core/AddNot", "x", "y", outcome)

    score = ModuleScore(
        "quantdesk/domain/a.py",
        ["onboarding"],
        [mutant("killed")] * 9 + [mutant("survived"), mutant("equivalent")],
    )
    assert score.kill_rate == pytest.approx(0.9)
    printed = table([score])
    assert "quantdesk/domain/ (all)" in printed
    assert " 90.0 %" in printed


def test_the_keyword_only_marker_is_not_an_operator_but_defaults_are_rules():
    source = "def f(a, *, b=2 + 3, c=4):\n    return a * b\n"
    spans = inert_spans(source)
    operator = "core/ReplaceBinaryOperator_Mul_Div"
    assert excluded_reason(operator, (1, source.index("*")), spans)
    assert excluded_reason(operator, (1, source.index("+")), spans) is None
    assert excluded_reason(operator, (2, 13), spans) is None


def test_a_module_written_ahead_of_its_feature_is_pending_not_unmapped(tmp_path: Path):
    package = tmp_path / "quantdesk" / "domain"
    package.mkdir(parents=True)
    (package / "rules.py").write_text("X = 1\n")
    (tmp_path / "features").mkdir()
    pending = {"quantdesk/domain/rules.py": "features/trading.feature"}
    assert Targets(["quantdesk/domain"], 60, {}, pending).unmapped(tmp_path) == []
    assert Targets(["quantdesk/domain"], 60, {}, {"quantdesk/domain/rules.py": " "}).unmapped(
        tmp_path
    ) == ["quantdesk/domain/rules.py is pending without the feature it waits for"]


def test_a_module_is_either_paired_or_pending(tmp_path: Path):
    package = tmp_path / "quantdesk" / "domain"
    package.mkdir(parents=True)
    (package / "rules.py").write_text("X = 1\n")
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "trading.feature").write_text("Feature: x\n")
    module = "quantdesk/domain/rules.py"
    targets = Targets(["quantdesk/domain"], 60, {module: ["trading"]}, {module: "trading"})
    assert targets.unmapped(tmp_path) == [f"{module} is both paired and pending"]
    assert (
        module in Targets(["quantdesk/domain"], 60, {}, {module: "t"}).unmapped(tmp_path / "x")[0]
    )


def test_every_recorded_equivalent_still_names_a_line_of_a_module_in_scope():
    targets = Targets.load()
    entries = tomllib.loads((ROOT / "mutation" / "equivalent.toml").read_text())["mutant"]
    stale = [
        f"{entry['module']}: {entry['before']}"
        for entry in entries
        if entry["module"] not in targets.modules
        or entry["before"] not in (ROOT / entry["module"]).read_text()
    ]
    assert stale == []
