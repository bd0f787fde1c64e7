"""The documents name files that exist: a renamed module must not leave a stale path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("docs/*.md"))]
# A repository path in backticks: a top-level folder of the project, then a path.
PATH = re.compile(
    r"`((?:features|steps|support|quantdesk|tests|mutation|benchmarks|docs)/[\w./-]*\w)`"
)


def named_paths(document: str) -> list[str]:
    return sorted(set(PATH.findall((ROOT / document).read_text())))


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_path_a_document_names_exists(document):
    missing = [p for p in named_paths(document) if not (ROOT / p).exists()]
    assert not missing, f"{document} names paths that do not exist: {missing}"


def test_the_path_pattern_finds_paths_in_backticks():
    assert PATH.findall("see `quantdesk/api/funding.py` and `features/*.feature`") == [
        "quantdesk/api/funding.py"
    ]
