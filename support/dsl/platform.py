"""Platform status in business terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import allure

from support.drivers.http import Unavailable
from support.drivers.platform import PlatformDriver


@dataclass
class PlatformStatus:
    platform: PlatformDriver

    def check(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Liveness, and readiness as ``{status, checks}`` whether ready or not."""
        with allure.step("Ask the platform whether it is alive and ready"):
            health = self.platform.health()
            try:
                return health, self.platform.readiness()
            except Unavailable as refused:
                return health, {"status": refused.code, "checks": refused.details.get("checks")}
