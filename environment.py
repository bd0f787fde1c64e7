"""behave hooks: bring the system up (or attach to one), give each scenario a fresh world,
attach evidence. See support/config.py for the running modes."""

from __future__ import annotations

import os
import platform as host
from pathlib import Path

import httpx
from behave.model import Scenario
from behave.model_core import Status
from behave.runner import Context

from support import rerun
from support.config import TargetConfig
from support.drivers.launcher import SYSTEM_LOGS_ENV, EmbeddedSystem, ManagedProcess
from support.drivers.platform_health import health_at
from support.leaks import find_leaks
from support.reporting import RUN_FACTS, attach_text
from support.step_types import register_step_types
from support.summary import use_wall_clock
from support.world import Target, World


def _allure_results_dir(config) -> Path | None:
    """Where the allure formatter of this run writes, if it runs."""
    for name, opener in zip(config.format or [], config.outputs or [], strict=False):
        if "allure" in name.lower() and getattr(opener, "name", None):
            return Path(opener.name)
    return None


register_step_types()


class TargetUnavailable(RuntimeError):
    pass


def _probe_remote(config: TargetConfig) -> dict:
    try:
        return health_at(config.base_url)
    except (httpx.HTTPError, ValueError) as exc:
        raise TargetUnavailable(
            f"No QuantDesk platform answers at {config.base_url} ({type(exc).__name__}: {exc}). "
            "Start it, or fix -D base_url / QUANTDESK_BASE_URL."
        ) from None


def before_all(context: Context) -> None:
    # A failure here (launch error, unreachable target) is raised once: behave prints it
    # as one HOOK-ERROR and aborts the run instead of failing every scenario.
    use_wall_clock(context.config)
    config = TargetConfig.from_sources(context.config.userdata, os.environ)
    context.system = None
    if config.remote:
        health = _probe_remote(config)
        target = Target(
            config.base_url,
            config.broker_url,
            config.operator_key,
            controls_enabled=bool(health.get("controls_enabled")),
            facts=health,
        )
        mode = "remote"
    else:
        context.system = EmbeddedSystem(
            database_url=config.database_url,
            platform_port=config.platform_port,
            broker_port=config.broker_port,
        ).start()
        health = health_at(context.system.base_url)
        target = Target(
            context.system.base_url,
            context.system.broker_url,
            context.system.operator_key,
            controls_enabled=True,
            facts=health,
        )
        mode = "embedded"
    context.target = target
    # The system's logs, attached to a failing scenario: the processes this run started,
    # or those a parallel run's harness started and names (none on a remote target).
    context.logs = (
        context.system.processes
        if context.system is not None
        else ManagedProcess.logs_of(os.environ.get(SYSTEM_LOGS_ENV, ""))
    )
    context.secrets_used = set()
    context.failed_locations = []
    RUN_FACTS.update(
        {
            "mode": os.environ.get("QUANTDESK_RUN_MODE") or mode,
            "target.url": target.base_url,
            "platform.version": str(health.get("version", "unknown")),
            "platform.commit": str(health.get("commit", "unknown")),
            "database": str(health.get("database", "unknown")),
            "controls": "enabled" if target.controls_enabled else "not offered",
            "host": host.node(),
        }
    )


def before_scenario(context: Context, scenario: Scenario) -> None:
    if "needs.controls" in scenario.effective_tags and not context.target.controls_enabled:
        scenario.skip("the target does not offer test controls (@needs.controls)")
        return
    for log in context.logs:
        log.mark()
    context.world = World(context.target)


def after_scenario(context: Context, scenario: Scenario) -> None:
    world = getattr(context, "world", None)
    failed = scenario.status in (Status.failed, Status.error)
    if failed:
        context.failed_locations.append(f"{scenario.location.relpath()}:{scenario.location.line}")
    if failed:
        for log in context.logs:
            lines = log.output_since_mark()
            if lines:
                attach_text(
                    f"{log.name} log during this scenario",
                    world.redactor.text(lines) if world else lines,
                )
    if world is not None:
        context.secrets_used.update(world.redactor.secrets)
        world.close()
        context.world = None


def after_all(context: Context) -> None:
    if getattr(context, "system", None) is not None:
        context.system.stop()
    rerun.write(
        Path(context.config.userdata.get("rerun_file") or rerun.DEFAULT),
        getattr(context, "failed_locations", []),
    )
    if context.target.operator_key:
        context.secrets_used.add(context.target.operator_key)
    results = _allure_results_dir(context.config)
    leaks = find_leaks(results, context.secrets_used) if results else {}
    if leaks:
        raise AssertionError(f"secrets used by this run reached the Allure results: {leaks}")
