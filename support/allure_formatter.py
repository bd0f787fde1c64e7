"""allure-behave, with scenarios under a Gherkin ``Rule:`` reaching the report.

allure-behave 2.16 wraps only ``feature.scenarios``; scenarios under a ``Rule:`` are
never started as Allure tests, so they are missing from the report and any attachment
made inside them crashes (allure-python issue #886). This formatter also wraps every
rule's scenarios, gives them the rule's tags, names the rule in the title path, and
uses the rule's name as the Allure story unless a story label is given.

For the report to read as a requirements document it also:

- writes epic, feature and story labels given by tags in words (a tag cannot hold a
  space: ``@allure.label.epic:Market_data`` reads "Market data");
- gives every scenario a description made of its feature's "why" paragraph, its rule's
  and its own description (Markdown);
- resolves ``@allure.tms:ID`` with ``-D AllureFormatter.tms_pattern`` (allure-behave
  resolves only issue and link patterns), and labels a scenario with ``issue`` for each
  ``@allure.issue:ID`` so the "Known issues" category finds it.

It empties its results directory when a run starts (unless
``-D allure.keep_results=true``, for runs that merge results), and writes the run's
``environment.properties`` and ``executor.json`` when it ends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import allure_commons
from allure_behave.formatter import AllureFormatter
from allure_behave.listener import AllureListener
from allure_behave.utils import step_table
from allure_commons.logger import AllureFileLogger
from allure_commons.mapping import parse_tag
from allure_commons.model2 import Label, TestStepResult
from allure_commons.types import AttachmentType, LabelType
from allure_commons.utils import get_testplan, md5, now, uuid4
from behave.model import Rule

from support.reporting import write_run_facts


def _rule_of(scenario: Any) -> Rule | None:
    node = getattr(scenario, "parent", None)
    while node is not None:
        if isinstance(node, Rule):
            return node
        node = getattr(node, "parent", None)
    return None


WORDED_LABELS = {LabelType.EPIC, LabelType.FEATURE, LabelType.STORY}


def in_words(value: str) -> str:
    """A tag's value as a person writes it: ``Market_data`` reads ``Market data``."""
    return " ".join(value.replace("_", " ").split())


def description_of(scenario: Any, rule: Rule | None) -> str:
    """The feature's "why", the rule's and the scenario's own description, as Markdown."""
    parts = [" ".join(scenario.feature.description).strip()]
    if rule is not None:
        parts.append(f"**Rule:** {rule.name}")
        parts.append(" ".join(rule.description).strip())
    parts.append(" ".join(scenario.description).strip())
    return "\n\n".join(part for part in parts if part)


class RuleAwareListener(AllureListener):
    def __init__(self, behave_config: Any) -> None:
        super().__init__(behave_config)
        self.tms_pattern = behave_config.userdata.get("AllureFormatter.tms_pattern")

    def start_scenario(self, scenario: Any) -> None:
        super().start_scenario(scenario)
        rule = _rule_of(scenario)
        test = self.logger.get_test(self.current_scenario_uuid)
        test.description = description_of(scenario, rule) or None
        if rule is not None:
            self._under_rule(test, scenario, rule)
        for label in test.labels:
            if label.name in WORDED_LABELS:
                label.value = in_words(label.value)
        for link in test.links:
            if link.type == "tms" and self.tms_pattern and not link.url.startswith("http"):
                link.url = self.tms_pattern.format(link.url)
        tags = [*scenario.feature.tags, *(rule.tags if rule else []), *scenario.tags]
        for tag in tags:
            if tag.startswith("allure.issue:"):
                test.labels.append(Label(name="issue", value=tag.split(":", 1)[1]))

    def start_behave_step(self, step: Any) -> None:
        # As allure-behave's, with the step's table and text named for a reader (its
        # names are ".table" and ".text").
        self.current_step_uuid = uuid4()
        allure_step = TestStepResult(name=f"{step.keyword} {step.name}", start=now())
        self.logger.start_step(None, self.current_step_uuid, allure_step)
        if step.text:
            self.logger.attach_data(
                uuid4(), step.text, name="the step's text", attachment_type=AttachmentType.TEXT
            )
        if step.table:
            self.logger.attach_data(
                uuid4(), step_table(step), name="the step's table",
                attachment_type=AttachmentType.CSV,
            )  # fmt: skip

    def _under_rule(self, test: Any, scenario: Any, rule: Rule) -> None:
        test.titlePath = [*test.titlePath, rule.name]
        test.fullName = f"{scenario.feature.name}: {rule.name}: {scenario.name}"
        test.testCaseId = md5(test.fullName)
        test.historyId = md5(rule.name, test.historyId)
        own = {label.name for label in map(parse_tag, scenario.tags) if isinstance(label, Label)}
        for label in map(parse_tag, rule.tags):
            if isinstance(label, Label) and label.name not in own:
                if label.name == LabelType.SEVERITY:
                    test.labels = [x for x in test.labels if x.name != LabelType.SEVERITY]
                test.labels.append(label)
        names = {label.name for label in test.labels}
        if LabelType.STORY not in names:
            test.labels.append(Label(name=LabelType.STORY, value=rule.name))


class RuleAwareAllureFormatter(AllureFormatter):
    name = "allure"
    description = "Allure results, including scenarios under Rule: (see module docstring)"

    def __init__(self, stream_opener: Any, config: Any) -> None:
        # Same as AllureFormatter.__init__, with our listener and an optional clean start.
        super(AllureFormatter, self).__init__(stream_opener, config)
        keep = str(config.userdata.get("allure.keep_results", "")).lower() in {"1", "true", "yes"}
        self.results_dir = Path(self.stream_opener.name)
        self.listener = RuleAwareListener(config)
        self.file_logger = AllureFileLogger(str(self.results_dir), clean=not keep)
        allure_commons.plugin_manager.register(self.listener)
        allure_commons.plugin_manager.register(self.file_logger)
        self.testplan = get_testplan()

    def feature(self, feature: Any) -> None:
        super().feature(feature)
        for rule in feature.iter_rules():
            self._wrap_scenario(rule.scenarios)

    def close_stream(self) -> None:
        try:
            super().close_stream()
        finally:
            write_run_facts(self.results_dir)
