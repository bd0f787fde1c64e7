"""Which of cosmic-ray's mutants are worth running, and which are sampled.

cosmic-ray proposes every operator everywhere it applies. Three kinds are left out
before anything runs, each for a reason that holds for every module:

- swaps into operators no business rule here uses (``a + b`` into ``a << b``, ``<`` into
  ``is``): they only ever fail loudly with a ``TypeError``, so they measure nothing;
- mutants inside type annotations: with ``from __future__ import annotations`` Python
  never evaluates them, and where pydantic or FastAPI does, the process fails to start;
- the ``*`` and ``/`` markers of a parameter list, which cosmic-ray takes for operators:
  every caller passes those arguments by keyword, so the swap changes nothing;
- mutants inside documentation arguments (``examples=``, ``description=``, ``summary=``,
  ``responses=``, and ``json_schema_extra=``, where a model keeps its examples): they
  change the OpenAPI document, which the contract fuzz checks (``make contract``), not a
  behaviour the features specify.
"""

from __future__ import annotations

import ast
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Operator names are cosmic-ray's ``core/<Operator>_<From>_<To>``.
EXCLUDED_OPERATORS = re.compile(
    r"core/ReplaceBinaryOperator_\w+_(Pow|LShift|RShift|BitOr|BitAnd|BitXor|FloorDiv|Mod)$"
    r"|core/ReplaceComparisonOperator_(Eq|NotEq|Lt|LtE|Gt|GtE)_(Is|IsNot)$"
    r"|core/ReplaceComparisonOperator_(Is|IsNot)_(Eq|NotEq|Lt|LtE|Gt|GtE)$"
    r"|core/ReplaceUnaryOperator_(UAdd_\w+|\w+_Invert|Invert_\w+|USub_Not|Delete_USub)$"
)
DOCUMENTATION_KEYWORDS = frozenset(
    {"examples", "example", "description", "summary", "responses", "json_schema_extra"}
)

Position = tuple[int, int]


@dataclass(frozen=True)
class Span:
    start: Position
    end: Position

    def contains(self, position: Position) -> bool:
        return self.start <= position < self.end


def _span(node: ast.AST) -> Span:
    return Span(
        (node.lineno, node.col_offset),
        (node.end_lineno or node.lineno, node.end_col_offset or 0),
    )


def inert_spans(source: str) -> list[Span]:
    """Source ranges whose mutation cannot change behaviour: annotations and docs."""
    spans: list[Span] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.arg) and node.annotation is not None:
            spans.append(_span(node.annotation))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
            spans.append(_span(node.returns))
        elif isinstance(node, ast.AnnAssign):
            spans.append(_span(node.annotation))
        elif isinstance(node, ast.keyword) and node.arg in DOCUMENTATION_KEYWORDS:
            spans.append(_span(node.value))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            spans.extend(_markers(node))
    return spans


def _markers(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[Span]:
    """The parameter list between the defaults: where ``*`` and ``/`` stand."""
    body = node.body[0]
    signature = Span((node.lineno, node.col_offset), (body.lineno, body.col_offset))
    defaults = [_span(d) for d in [*node.args.defaults, *node.args.kw_defaults] if d]
    cuts = sorted([signature.start, *(p for d in defaults for p in (d.start, d.end))])
    cuts.append(signature.end)
    # Alternate pieces: outside the defaults (inert), inside one (a rule may live there).
    return [Span(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]


def excluded_reason(operator: str, start: Position, spans: Iterable[Span]) -> str | None:
    """Why a mutant is not run, or None when it is."""
    if EXCLUDED_OPERATORS.match(operator):
        return "operator swap outside the rules (only a TypeError)"
    if any(span.contains(start) for span in spans):
        return "inside a type annotation, a parameter list or a documentation argument"
    return None


def sample(job_ids: list[str], size: float, seed: int) -> set[str]:
    """A seeded random choice: ``size`` below 1 is a fraction, otherwise a count."""
    if size <= 0:
        return set()
    count = round(len(job_ids) * size) if size < 1 else int(size)
    count = max(1, min(count, len(job_ids)))
    return set(random.Random(seed).sample(sorted(job_ids), count))


def read_spans(path: Path) -> list[Span]:
    return inert_spans(path.read_text())
