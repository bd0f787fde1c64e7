"""The JSON body of a load from the brokerage's market-data feed, and its checks.

Every problem of the body is reported at once (422 ``validation_failed``), symbols by the
one symbol rule of ``quantdesk.domain.symbols``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema

from quantdesk.domain.symbols import (
    MAX_SYMBOL_LENGTH,
    SYMBOL_PATTERN,
    SYMBOL_RULE,
    parse_symbol,
    symbol_problem,
)
from quantdesk.errors import MalformedRequest, ValidationFailed
from quantdesk.services.ingestion import FeedSymbol

# The symbol rule is checked by ``feed_request`` (422 ``invalid_symbol`` naming the rule,
# with every other problem); the schema documents it.
SYMBOL_SCHEMA = {
    "type": "string",
    "pattern": f"^{SYMBOL_PATTERN}$",
    "maxLength": MAX_SYMBOL_LENGTH,
    "description": f"Trimmed and upper-cased; {SYMBOL_RULE}.",
}
Ticker = Annotated[str, WithJsonSchema(SYMBOL_SCHEMA)]


class FeedSymbolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    broker_symbol: Ticker
    symbol: Ticker | None = Field(None, description="Stored under this symbol (default: same).")


class FeedIngestion(BaseModel):
    """A load from the brokerage's market-data feed."""

    model_config = ConfigDict(extra="forbid")
    source: Literal["broker"]
    kind: Literal["full", "incremental", "backfill"] = "full"
    symbols: list[Ticker | FeedSymbolIn] = Field(min_length=1, max_length=500)
    start: date
    end: date
    as_operation: bool = False

    def feed_symbols(self) -> list[FeedSymbol]:
        """The symbols to fetch and to store under, in their stored form (checked first by
        :meth:`symbol_problems`)."""
        items = []
        for item in self.symbols:
            if isinstance(item, str):
                broker_symbol = target = item
            else:
                broker_symbol, target = item.broker_symbol, item.symbol or item.broker_symbol
            items.append(FeedSymbol(parse_symbol(broker_symbol) or "", parse_symbol(target) or ""))
        return items

    def symbol_problems(self) -> list[dict[str, str]]:
        problems = []
        for i, item in enumerate(self.symbols):
            named = (
                {f"symbols.{i}": item}
                if isinstance(item, str)
                else {
                    f"symbols.{i}.{name}": value
                    for name, value in (
                        ("broker_symbol", item.broker_symbol),
                        ("symbol", item.symbol),
                    )
                    if value is not None
                }
            )
            for field, value in named.items():
                problem = symbol_problem(field, [value])
                if problem:
                    problems.append(problem)
        return problems


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its ``$defs`` inlined, for ``openapi_extra`` (a
    ``#/$defs/...`` reference would point at the root of the OpenAPI document)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(definitions[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return inline(schema)


def _fields(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {
            "field": ".".join(str(p) for p in e["loc"]) or "body",
            "code": str(e["type"]),
            "message": str(e["msg"]),
        }
        for e in exc.errors()
    ]


def feed_request(body: bytes) -> FeedIngestion:
    try:
        data = json.loads(body)
    except ValueError:
        raise MalformedRequest("The request body is not valid JSON.") from None
    try:
        request = FeedIngestion.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(_fields(exc)) from None
    symbol_problems = request.symbol_problems()
    problems = list(symbol_problems)
    if request.end < request.start:
        problems.append({"field": "end", "code": "before_start", "message": "end is before start"})
    targets = [s.symbol for s in request.feed_symbols()]
    # Duplicates are judged on valid symbols only (an invalid one has no stored form).
    if not symbol_problems and len(set(targets)) != len(targets):
        problems.append(
            {"field": "symbols", "code": "duplicate", "message": "a symbol is named twice"}
        )
    if problems:
        raise ValidationFailed(problems)
    return request
