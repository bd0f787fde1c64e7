"""The broker simulator is a separate system: it imports nothing of the platform."""

from __future__ import annotations

import ast
from pathlib import Path

import quantdesk.broker_sim

SIM_DIR = Path(quantdesk.broker_sim.__file__).parent


def test_the_simulator_imports_only_its_own_subpackage_of_quantdesk():
    offenders = []
    for path in sorted(SIM_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {name}"
                for name in names
                if name.split(".")[0] == "quantdesk" and not name.startswith("quantdesk.broker_sim")
            ]
    assert offenders == []
