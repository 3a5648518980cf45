"""Who may see what is decided in survey_app/access.py alone: the rules of its Scope, and
checks on the source that no other module grows a scope of its own again."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from types import SimpleNamespace

import survey_app
from survey_app.access import NO_SCHOOL, Scope
from survey_app.models import ScanBatch
from tests.conftest import REPO


def _user(role: str, school_id: int | None = None, partnership_id: int = 1):
    return SimpleNamespace(is_coordinator=role == "coordinator", school_id=school_id,
                           partnership_id=partnership_id)


def test_scope_of_each_role():
    assert Scope.for_user(_user("coordinator")) == Scope(1, None)
    assert Scope.for_user(_user("teacher", 7)) == Scope(1, 7)
    # A teacher without a school sees no school, never the whole partnership.
    lost = Scope.for_user(_user("teacher", None))
    assert lost == Scope(1, NO_SCHOOL)
    assert not lost.whole_partnership


def test_batches_and_reach():
    coordinator, oak, willow, other = Scope(1), Scope(1, 7), Scope(1, 8), Scope(2)
    teachers_upload = ScanBatch(partnership_id=1, school_id=7)
    coordinators_upload = ScanBatch(partnership_id=1, school_id=None)
    assert coordinator.sees_batch(teachers_upload)
    assert oak.sees_batch(teachers_upload)
    assert not willow.sees_batch(teachers_upload)
    assert not oak.sees_batch(coordinators_upload)
    assert not other.sees_batch(coordinators_upload)
    assert coordinator.covers(oak)
    assert not oak.covers(coordinator)
    assert not oak.covers(willow)
    assert not coordinator.covers(other)
    assert Scope().covers(other)  # the command line


def _modules():
    for info in pkgutil.walk_packages(survey_app.__path__, "survey_app."):
        if ".migrations" in info.name:
            continue
        yield importlib.import_module(info.name)


def test_every_scope_class_is_the_access_one():
    """Export and results once each had a class named Scope; any now is access.Scope
    itself or narrows it (results adds the page's filters)."""
    for module in _modules():
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and "scope" in name.lower():
                assert issubclass(obj, Scope), f"{module.__name__}.{name} is not access.Scope"


def test_views_do_not_import_each_others_private_helpers():
    bad = []
    for path in (REPO / "survey_app").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.ImportFrom) and node.module
                    and node.module.endswith(".views")):
                bad += [f"{path.relative_to(REPO)}: {node.module}.{a.name}"
                        for a in node.names if a.name.startswith("_scope")
                        or a.name.endswith("_in_scope") or a.name.endswith("_or_404")]
    assert not bad, f"scope helpers imported from views (use survey_app.access): {bad}"
