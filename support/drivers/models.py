"""QuantDesk's model contract (/v1/models, /v1/training, /v1/operations), as the suite
uses it: operator calls only."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from support.drivers.http import PlatformApi


def _path(text: str) -> str:
    """A name as one path segment (the suite's names are safe; encoded all the same)."""
    return quote(text, safe="")


class ModelsDriver(PlatformApi):
    def train(self, request: dict[str, Any]) -> dict[str, Any]:
        """The operation of a started training job (accepted for later: 202); a refused
        request raises ``ApiError``."""
        answer = self.http.request(
            "POST", "/v1/models/training-jobs", json=request, headers=self._operator()
        )
        assert answer.status_code == 202, f"a training is not accepted for later: {answer}"
        return answer.json()

    def limits(self) -> dict[str, Any]:
        return self.http.json("GET", "/v1/training/limits", headers=self._operator())

    def operation(self, operation_id: str) -> dict[str, Any]:
        return self.http.json(
            "GET", f"/v1/operations/{_path(operation_id)}", headers=self._operator()
        )

    def cancel_operation(self, operation_id: str) -> dict[str, Any]:
        return self.http.json(
            "POST", f"/v1/operations/{_path(operation_id)}:cancel", headers=self._operator()
        )

    def model(self, name: str) -> dict[str, Any]:
        return self.http.json("GET", f"/v1/models/{_path(name)}", headers=self._operator())

    def version(self, name: str, version: int) -> dict[str, Any]:
        return self.http.json(
            "GET", f"/v1/models/{_path(name)}/versions/{version}", headers=self._operator()
        )

    def equity(self, name: str, version: int) -> dict[str, Any]:
        return self.http.json(
            "GET",
            f"/v1/models/{_path(name)}/versions/{version}/equity",
            headers=self._operator(),
        )

    def alias(self, name: str, alias: str) -> dict[str, Any]:
        return self.http.json(
            "GET", f"/v1/models/{_path(name)}/aliases/{_path(alias)}", headers=self._operator()
        )

    def promote(
        self, name: str, alias: str, version: int, *, reason: str, force: bool = False
    ) -> dict[str, Any]:
        return self.http.json(
            "PUT",
            f"/v1/models/{_path(name)}/aliases/{_path(alias)}",
            json={"version": version, "reason": reason, "force": force},
            headers=self._operator(),
        )

    def rollback(self, name: str, alias: str, *, reason: str) -> dict[str, Any]:
        return self.http.json(
            "POST",
            f"/v1/models/{_path(name)}/aliases/{_path(alias)}:rollback",
            json={"reason": reason},
            headers=self._operator(),
        )

    def predict(
        self,
        name: str,
        symbols: list[str],
        as_of: date,
        *,
        alias: str | None = None,
        version: int | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"symbols": symbols, "as_of": as_of.isoformat()}
        if alias is not None:
            body["alias"] = alias
        if version is not None:
            body["version"] = version
        return self.http.json(
            "POST", f"/v1/models/{_path(name)}/predictions", json=body, headers=self._operator()
        )

    # -- test controls ---------------------------------------------------------------------
    def damage_artifact(self, name: str, version: int, how: str) -> dict[str, Any]:
        return self.http.json(
            "POST",
            f"/v1/controls/models/{_path(name)}/versions/{version}/artifact:damage",
            json={"how": how},
            headers=self._operator(),
        )

    def artifact_files(self, name: str) -> list[str]:
        return self.http.json(
            "GET", f"/v1/controls/models/{_path(name)}/artifacts", headers=self._operator()
        )["files"]
