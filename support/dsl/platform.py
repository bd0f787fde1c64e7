"""Platform status in business terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import allure

from support.drivers.platform import PlatformDriver


@dataclass
class PlatformStatus:
    platform: PlatformDriver

    def check(self) -> tuple[dict[str, Any], dict[str, Any]]:
        with allure.step("Ask the platform whether it is alive and ready"):
            return self.platform.health(), self.platform.readiness()
