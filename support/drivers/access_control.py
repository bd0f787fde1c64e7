"""The access matrix: every door of QuantDesk's HTTP contract and who may open it.

A door is one (method, path template) of the contract. Who may open it:

- ``public``: anyone, signed in or not;
- ``client_owner``: an operator, or the client the path's ``client_id`` names; to any
  other client that client does not exist (the same answer as an unknown client);
- ``client_self``: a signed-in client, about themself;
- ``operator``: operators only.

Each row also carries the door's business name (an action and a resource, as
``features/access_control.feature`` writes them: the resource of a ``client_owner`` door
is written with its owner, "Alice's preferences"), the request that opens it, and the
door whose answer, read by an operator, shows what the door would change. The scenarios
check the rows against the OpenAPI document the platform serves, so a new route without
a row fails the suite until someone decides who may call it.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from support.drivers.http import RecordingClient

# What a request is built from: the ids, symbols, bodies a scenario prepared (by name).
Values = Mapping[str, Any]
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})


class Who(StrEnum):
    PUBLIC = "public"
    CLIENT_OWNER = "client_owner"
    CLIENT_SELF = "client_self"
    OPERATOR = "operator"


def _nothing(_: Values) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Door:
    method: str
    path: str
    who: Who
    action: str
    resource: str
    request: Callable[[Values], dict[str, Any]] = _nothing
    # The door an operator reads to see what this one would change (None: this one).
    shown_by: tuple[str, str] | None = None
    # False for the documentation pages, which the OpenAPI document does not list.
    documented: bool = True
    # A test control: in the contract only of a target that offers controls.
    control: bool = False
    # What of the shown answer must not change (a clock's "now" always does).
    compared: Callable[[Any], Any] = lambda shown: shown

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path

    def url(self, values: Values) -> str:
        names = [name for _, name, _, _ in string.Formatter().parse(self.path) if name]
        missing = [name for name in names if name not in values]
        assert not missing, f"{self.method} {self.path} needs {missing}; prepared: {set(values)}"
        return self.path.format_map({name: quote(str(values[name]), safe="") for name in names})

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _json(build: Callable[[Values], Any]) -> Callable[[Values], dict[str, Any]]:
    return lambda values: {"json": build(values)}


def _query(*names: str) -> Callable[[Values], dict[str, Any]]:
    """Query parameters taken from the prepared values (``symbols`` joined by commas)."""

    def build(values: Values) -> dict[str, Any]:
        params = {}
        for name in names:
            value = values[name]
            params[name] = ",".join(value) if isinstance(value, list | tuple) else value
        return {"params": params}

    return build


def _csv_load(values: Values) -> dict[str, Any]:
    return {
        "content": values["csv"],
        "headers": {"Content-Type": "text/csv"},
        "params": {
            "kind": "full",
            "source": "access-check",
            "as_operation": str(bool(values.get("as_operation", False))).lower(),
        },
    }


def _sign_in(values: Values) -> dict[str, Any]:
    return {"json": {"email": values["email"], "password": values["password"]}}


def _json_body(body: dict[str, Any]) -> Callable[[Values], dict[str, Any]]:
    return lambda _: {"json": body}


PUBLIC, OWNER, SELF, OPERATOR = Who.PUBLIC, Who.CLIENT_OWNER, Who.CLIENT_SELF, Who.OPERATOR
_C = "/v1/clients/{client_id}"
_MD = "/v1/market-data"
_RUN = f"{_MD}/ingestions/{{run_id}}"
_FS = f"{_MD}/feature-sets/{{key}}"
_OP = "/v1/operations/{operation_id}"
_RB = f"{_C}/rebalances/{{batch_id}}"
_M = "/v1/models/{name}"
_MV = f"{_M}/versions/{{version}}"
_MA = f"{_M}/aliases/{{alias}}"


def _without_moment(shown: Any) -> Any:
    """A recommendation is stamped with the moment it was made: compare the rest."""
    return {k: v for k, v in shown.items() if k != "as_of"}


# One row per door of the contract, and the documentation pages.
# fmt: off
MATRIX: tuple[Door, ...] = (
    # -- anyone ---------------------------------------------------------------------------
    Door("GET",  "/v1/health",              PUBLIC, "read",    "the platform's health"),
    Door("GET",  "/v1/ready",               PUBLIC, "read",    "the platform's readiness"),
    Door("POST", "/v1/sessions",            PUBLIC, "start",   "a client session", _sign_in),
    # A browser redirect carries no credentials: the single-use state identifies the link.
    Door("GET",  "/v1/brokerage/callback",  PUBLIC, "deliver", "the brokerage's answer to a link",
         _query("state", "code")),
    Door("GET",  "/openapi.json",           PUBLIC, "read",    "the platform's contract",
         documented=False),
    Door("GET",  "/docs",                   PUBLIC, "read",    "the contract's documentation",
         documented=False),
    # -- the signed-in client, about themself ---------------------------------------------
    Door("GET",  "/v1/me",                  SELF,   "read",    "a client's own record",
         shown_by=("GET", _C)),
    # -- an operator, or the client whose data it is ----------------------------------------
    Door("GET",  _C,                        OWNER,  "read",    "client record"),
    Door("GET",  f"{_C}/onboarding",        OWNER,  "read",    "onboarding checklist"),
    Door("PUT",  f"{_C}/preferences",       OWNER,  "change",  "preferences",
         _json(lambda v: {"universe": [v["symbol"]], "cash_buffer": "0.2"}),
         shown_by=("GET", f"{_C}/preferences")),
    Door("GET",  f"{_C}/preferences",       OWNER,  "read",    "preferences"),
    Door("PUT",  f"{_C}/strategy",          OWNER,  "change",  "strategy",
         _json_body({"strategy": "equal_weight"}), shown_by=("GET", f"{_C}/strategy")),
    Door("GET",  f"{_C}/strategy",          OWNER,  "read",    "strategy"),
    Door("POST", f"{_C}/brokerage-link",    OWNER,  "start",   "brokerage link",
         shown_by=("GET", f"{_C}/brokerage-link")),
    Door("GET",  f"{_C}/brokerage-link",    OWNER,  "read",    "brokerage link"),
    Door("GET",  f"{_C}/brokerage-account", OWNER,  "read",    "brokerage account"),
    Door("POST", f"{_C}/deposits",          OWNER,  "add to",  "deposits",
         _json_body({"amount": "1.00"}), shown_by=("GET", f"{_C}/deposits")),
    Door("GET",  f"{_C}/deposits",          OWNER,  "read",    "deposits"),
    Door("GET",  f"{_C}/recommendation",    OWNER,  "read",    "recommendation",
         compared=_without_moment),
    Door("POST", f"{_C}/rebalances",        OWNER,  "propose", "rebalance",
         shown_by=("GET", f"{_C}/rebalances")),
    Door("GET",  f"{_C}/rebalances",        OWNER,  "read",    "rebalances"),
    Door("GET",  _RB,                       OWNER,  "read",    "rebalance"),
    Door("POST", f"{_RB}:dry-run",          OWNER,  "dry-run", "rebalance", shown_by=("GET", _RB)),
    Door("POST", f"{_RB}:execute",          OWNER,  "execute", "rebalance", shown_by=("GET", _RB)),
    Door("GET",  f"{_C}/portfolio",         OWNER,  "read",    "portfolio"),
    Door("GET",  f"{_C}/portfolio/reconciliation", OWNER, "reconcile", "portfolio"),
    Door("GET",  f"{_C}/portfolio/history", OWNER,  "read",    "portfolio history"),
    Door("GET",  f"{_C}/risk",              OWNER,  "read",    "trading risk"),
    # -- operators only ---------------------------------------------------------------------
    Door("POST", "/v1/clients",             OPERATOR, "add to", "the register of clients",
         _json(lambda v: v["registration"]), shown_by=("GET", "/v1/clients")),
    Door("GET",  "/v1/clients",             OPERATOR, "search", "the register of clients",
         _query("email")),
    Door("POST", f"{_MD}/ingestions",       OPERATOR, "load",   "a symbol's daily bars",
         _csv_load, shown_by=("GET", f"{_MD}/bars")),
    Door("GET",  f"{_MD}/bars",             OPERATOR, "read",   "a symbol's daily bars",
         _query("symbol")),
    Door("GET",  f"{_MD}/indicators",       OPERATOR, "read",   "a symbol's indicators",
         _query("symbol")),
    Door("GET",  f"{_MD}/limits",           OPERATOR, "read",   "the market data limits"),
    Door("GET",  "/v1/trading/limits",      OPERATOR, "read",   "the trading limits"),
    Door("GET",  _RUN,                      OPERATOR, "read",   "a market data load"),
    Door("GET",  f"{_RUN}/quarantine",      OPERATOR, "read",   "a market data load's quarantine"),
    Door("GET",  f"{_RUN}/quality-report",  OPERATOR, "read",
         "a market data load's quality report"),
    Door("GET",  f"{_MD}/feature-sets",     OPERATOR, "read",   "the published feature sets"),
    Door("GET",  _FS,                       OPERATOR, "read",   "a feature set"),
    Door("GET",  f"{_FS}/rows",             OPERATOR, "read",   "a feature set's rows",
         _query("symbols")),
    Door("GET",  f"{_FS}/split",            OPERATOR, "read",   "a feature set's split",
         _query("symbols")),
    Door("POST", f"{_RB}:approve",          OPERATOR, "approve", "a client's rebalance",
         _json_body({"reason": "within the client's mandate"}), shown_by=("GET", _RB)),
    Door("POST", f"{_RB}:reject",           OPERATOR, "reject", "a client's rebalance",
         _json_body({"reason": "trades too much at once"}), shown_by=("GET", _RB)),
    Door("POST", f"{_C}/rebalances:close-out", OPERATOR, "close out", "a client's portfolio",
         shown_by=("GET", f"{_C}/rebalances")),
    Door("POST", f"{_C}/portfolio/reconciliation:repair", OPERATOR, "repair", "a client's book",
         shown_by=("GET", f"{_C}/portfolio/reconciliation")),
    Door("PUT",  f"{_C}/risk",              OPERATOR, "set",    "a client's daily loss limit",
         _json_body({"daily_loss_limit": "1200.00", "reason": "the client's mandate"}),
         shown_by=("GET", f"{_C}/risk")),
    Door("POST", f"{_C}/risk:resume",       OPERATOR, "resume", "a client's trading",
         _json_body({"reason": "the loss was reviewed"}), shown_by=("GET", f"{_C}/risk")),
    Door("POST", "/v1/models/training-jobs", OPERATOR, "start", "a model's training",
         _json(lambda v: v["training"]), shown_by=("GET", _M)),
    Door("GET",  "/v1/training/limits",     OPERATOR, "read",   "the training limits"),
    Door("GET",  "/v1/models",              OPERATOR, "read",   "the registered models",
         compared=lambda shown: sorted(shown)),
    Door("GET",  _M,                        OPERATOR, "read",   "a model"),
    Door("GET",  _MV,                       OPERATOR, "read",   "a model version"),
    Door("GET",  f"{_MV}/equity",           OPERATOR, "read",   "a model version's backtest"),
    Door("GET",  _MA,                       OPERATOR, "read",   "a model's alias"),
    Door("PUT",  _MA,                       OPERATOR, "move",   "a model's alias",
         _json(lambda v: {"version": v["version"], "reason": "deploy it"}), shown_by=("GET", _MA)),
    Door("POST", f"{_MA}:rollback",         OPERATOR, "roll back", "a model's alias",
         _json_body({"reason": "undo it"}), shown_by=("GET", _MA)),
    Door("POST", f"{_M}/predictions",       OPERATOR, "ask",    "a model's predictions",
         _json(lambda v: {"symbols": v["symbols"], "as_of": "2018-06-01"})),
    Door("GET",  _OP,                       OPERATOR, "read",   "an operation"),
    Door("POST", f"{_OP}:cancel",           OPERATOR, "cancel", "an operation",
         shown_by=("GET", _OP)),
    # -- operators only, and only on a target that offers test controls ---------------------
    Door("GET",  "/v1/controls/clock",      OPERATOR, "read",   "the platform's clock",
         control=True, compared=lambda shown: shown["stopped"]),
    Door("PUT",  "/v1/controls/clock",      OPERATOR, "stop",   "the platform's clock",
         _json_body({"stopped_at": "2001-01-01T00:00:00Z"}),
         shown_by=("GET", "/v1/controls/clock"), control=True,
         compared=lambda shown: shown["stopped"]),
    Door("GET",  "/v1/controls/clients/{client_id}/faults", OPERATOR, "read",
         "a client's injected faults", control=True),
    Door("PUT",  "/v1/controls/clients/{client_id}/faults", OPERATOR, "arm",
         "a client's injected faults", _json_body({"fail_recording_fills": 1}),
         shown_by=("GET", "/v1/controls/clients/{client_id}/faults"), control=True),
    Door("GET",  "/v1/controls/models/{name}/artifacts", OPERATOR, "read", "a model's files",
         control=True),
    Door("POST", "/v1/controls/models/{name}/versions/{version}/artifact:damage", OPERATOR,
         "damage",
         "a model version's file", _json_body({"how": "untrusted_type"}),
         shown_by=("GET", _MV), control=True),
)
# fmt: on
DOORS: dict[tuple[str, str], Door] = {door.key: door for door in MATRIX}
assert len(DOORS) == len(MATRIX), "a (method, path) has two rows in the access matrix"


def doors_of(document: Mapping[str, Any]) -> set[tuple[str, str]]:
    """Every (METHOD, path template) an OpenAPI document lists."""
    return {
        (method.upper(), path)
        for path, operations in document.get("paths", {}).items()
        for method in operations
        if method.lower() in HTTP_METHODS
    }


class AccessDriver:
    """Opens any door of the matrix as an operator, a signed-in client or nobody."""

    def __init__(self, http: RecordingClient, operator_key: str | None) -> None:
        self.http = http
        self.operator_key = operator_key
        http.redactor.remember(operator_key)

    def contract(self) -> dict[str, Any]:
        """The OpenAPI document the platform serves (to anyone)."""
        return self.open(DOORS["GET", "/openapi.json"], {})

    def open(
        self, door: Door, values: Values, *, token: str | None = None, operator: bool = False
    ) -> Any:
        """The answer (JSON, or the text of a page); a refusal raises a typed ``ApiError``."""
        parts = door.request(values)
        headers = dict(parts.pop("headers", {}))
        if operator and self.operator_key:
            headers["X-API-Key"] = self.operator_key
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = self.http.request(door.method, door.url(values), headers=headers, **parts)
        if "json" in response.headers.get("content-type", ""):
            return response.json()
        return response.text

    def shown_by(self, door: Door, values: Values) -> Any:
        """What ``door`` would change (or shows), as an operator reads it: the part of it
        that must stay the same."""
        shown = self.open(DOORS[door.shown_by] if door.shown_by else door, values, operator=True)
        return door.compared(shown)

    # -- what operator doors are about ---------------------------------------------------
    def load_bars(self, csv: bytes, *, as_operation: bool = False) -> dict[str, Any]:
        """An operator's CSV load: the run, or the operation when ``as_operation``."""
        door = DOORS["POST", "/v1/market-data/ingestions"]
        return self.open(door, {"csv": csv, "as_operation": as_operation}, operator=True)

    def operation(self, operation_id: str) -> dict[str, Any]:
        door = DOORS["GET", "/v1/operations/{operation_id}"]
        return self.open(door, {"operation_id": operation_id}, operator=True)
