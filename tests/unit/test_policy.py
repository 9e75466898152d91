"""One policy object: built from the settings, no module-global configuration, no hidden
time-zone or quiet-hour defaults in the services."""

from __future__ import annotations

import ast
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.settings import Settings, policy_from

REPO = Path(__file__).resolve().parents[2]
SERVICES = sorted((REPO / "services").glob("*.py"))
# Parameters that carry a rule of the policy: a caller must always pass them.
POLICY_TYPES = ("ZoneInfo", "QuietHours", "Policy", "tzinfo")
POLICY_NAMES = {"tz", "quiet", "policy"}


def _functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _defaulted(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[ast.arg, ast.expr]]:
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    pairs = list(
        zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
    )
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d]
    return pairs


def _zone_constants(tree: ast.Module) -> set[str]:
    """Module-level names bound to `ZoneInfo(...)`."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Name) and func.id == "ZoneInfo":
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def test_no_service_hides_a_time_zone_or_a_policy_default() -> None:
    offenders = []
    for path in SERVICES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        zones = _zone_constants(tree)
        if zones:
            offenders.append(f"{path.name}: module-level zone {sorted(zones)}")
        for fn in _functions(tree):
            for arg, default in _defaulted(fn):
                annotation = ast.unparse(arg.annotation) if arg.annotation else ""
                value = ast.unparse(default)
                if (
                    arg.arg in POLICY_NAMES
                    or any(t in annotation for t in POLICY_TYPES)
                    or "ZoneInfo(" in value
                    or value in zones
                ):
                    offenders.append(f"{path.name}:{fn.lineno} {fn.name}({arg.arg}={value})")
    assert offenders == []


def test_no_module_global_configuration() -> None:
    """No `configure()` in the services, nobody calls one, and no module holds a policy."""
    offenders = []
    for path in SERVICES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in ("configure", "current_policy"):
                offenders.append(f"{path.name}: def {node.name}")
            if isinstance(node, ast.Assign | ast.AnnAssign):
                text = ast.unparse(node)
                if "Policy(" in text or "policy" in text.split("=")[0].lower():
                    offenders.append(f"{path.name}: {text}")
    for folder in ("bot", "handlers", "scheduler", "services", "bench", "sandbox"):
        for path in (REPO / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for call in ast.walk(tree):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "configure"
                ):
                    offenders.append(f"{path.relative_to(REPO)}:{call.lineno} .configure()")
    assert offenders == []


def test_the_policy_is_built_from_the_settings() -> None:
    settings = Settings(
        KISBOT_TIMEZONE="Europe/Kyiv",
        KISBOT_QUIET_HOURS="22:00-07:00",
        KISBOT_OFFER_HOURS=6,
        KISBOT_OFFER_MIN_MINUTES=20,
        KISBOT_REMINDER_HOURS="48,2",
        KISBOT_CONSULT_CUTOFF_HOURS=36,
        KISBOT_CARE_MARGIN_MINUTES=10,
        KISBOT_CARE_CAPACITY=3,
        KISBOT_BROADCAST_MAX_AGE_HOURS=6,
    )
    policy = policy_from(settings)
    assert policy.tz == ZoneInfo("Europe/Kyiv")
    assert policy.quiet == (time(22), time(7))
    assert (policy.offer_hours, policy.offer_min_minutes) == (6, 20)
    assert policy.reminder_hours == (48, 2)
    assert policy.consult_cutoff_hours == 36
    assert (policy.care_margin, policy.care_capacity) == (timedelta(minutes=10), 3)
    assert policy.broadcast_max_age == timedelta(hours=6)
