"""allure-behave, with scenarios under a Gherkin ``Rule:`` reaching the report.

allure-behave 2.16 wraps only ``feature.scenarios``; scenarios under a ``Rule:`` are
never started as Allure tests, so they are missing from the report and any attachment
made inside them crashes (allure-python issue #886). This formatter also wraps every
rule's scenarios, gives them the rule's tags, names the rule in the title path, and
uses the rule's name as the Allure story unless a story label is given.

It also empties its results directory when a run starts (unless
``-D allure.keep_results=true``, for runs that merge results), and writes the run's
``environment.properties`` and ``executor.json`` when the run ends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import allure_commons
from allure_behave.formatter import AllureFormatter
from allure_behave.listener import AllureListener
from allure_commons.logger import AllureFileLogger
from allure_commons.mapping import parse_tag
from allure_commons.model2 import Label
from allure_commons.types import LabelType
from allure_commons.utils import get_testplan, md5
from behave.model import Rule

from support.reporting import write_run_facts


def _rule_of(scenario: Any) -> Rule | None:
    node = getattr(scenario, "parent", None)
    while node is not None:
        if isinstance(node, Rule):
            return node
        node = getattr(node, "parent", None)
    return None


class RuleAwareListener(AllureListener):
    def start_scenario(self, scenario: Any) -> None:
        super().start_scenario(scenario)
        rule = _rule_of(scenario)
        if rule is None:
            return
        test = self.logger.get_test(self.current_scenario_uuid)
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
