"""Random allocation: classes, or pupil numbers within each class, to taking part or
comparison, with a recorded seed so anyone can repeat the draw and get the same result.

The draw: units in a fixed order (school, group, pupil number), split into strata (each
school when stratified, each class for pupils, else one), each stratum shuffled with
Python's Mersenne Twister seeded by the seed; the first half takes part, and an odd unit
out goes to either arm by the same generator. Python keeps `random.Random(int)` stable
across versions, so the seed alone reproduces the allocation.
"""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import (
    Collection,
    EvaluationPlan,
    Group,
    Partnership,
    PlanAllocation,
    School,
)
from survey_app.plans import document
from survey_app.plans.document import PlanError
from survey_app.plans.operations import plan_for, refresh_lock, save_plan

UNITS = {"class": "Whole classes", "pupil": "Pupil numbers within each class"}
MAX_SEED = 999_999
MAX_PUPILS = 999


@dataclass(frozen=True)
class Unit:
    school: str
    group: str
    pupil: int | None = None


def draw(units: list[Unit], seed: int, *, stratify: bool) -> list[tuple[Unit, str]]:
    """The allocation of `units` for `seed`: [(unit, arm)] in the units' sorted order."""
    ordered = sorted(set(units), key=lambda u: (u.school, u.group, u.pupil or 0))
    strata: dict[tuple, list[Unit]] = {}
    for u in ordered:
        if u.pupil is not None:
            key: tuple = (u.school, u.group)
        else:
            key = (u.school,) if stratify else ()
        strata.setdefault(key, []).append(u)
    rng = random.Random(seed)
    arms: dict[Unit, str] = {}
    for key in sorted(strata):
        members = list(strata[key])
        rng.shuffle(members)
        taking = len(members) // 2 + (len(members) % 2 if rng.random() < 0.5 else 0)
        for i, u in enumerate(members):
            arms[u] = "taking_part" if i < taking else "comparison"
    return [(u, arms[u]) for u in ordered]


def current_allocation(plan: EvaluationPlan | None) -> PlanAllocation | None:
    if plan is None:
        return None
    return db.session.scalar(select(PlanAllocation).where(PlanAllocation.plan_id == plan.id)
                             .order_by(PlanAllocation.made_at.desc(),
                                       PlanAllocation.id.desc()).limit(1))


def partnership_groups(partnership_id: int) -> list[tuple[str, str]]:
    """Every (school, group) of the partnership, sorted."""
    return [tuple(r) for r in db.session.execute(
        select(School.name, Group.name).join(Group.school)
        .where(School.partnership_id == partnership_id).order_by(School.name, Group.name))]


def group_rows(partnership_id: int) -> list[tuple[int, str, str]]:
    """Every (group id, school, group) of the partnership, sorted: what the pages' forms
    name classes by, so a class added meanwhile never shifts another's choice."""
    return [tuple(r) for r in db.session.execute(
        select(Group.id, School.name, Group.name).join(Group.school)
        .where(School.partnership_id == partnership_id).order_by(School.name, Group.name))]


def class_size(partnership_id: int, school: str, group: str) -> int | None:
    """The largest expected size given to the group's collections, if any."""
    return db.session.scalar(
        select(func.max(Collection.expected_size)).join(Collection.group).join(Group.school)
        .where(School.partnership_id == partnership_id, School.name == school,
               Group.name == group))


def allocate(partnership: Partnership, who: str, *, unit: str,
             groups: list[tuple[str, str]] | None = None, sizes: dict | None = None,
             seed: int | None = None, stratify: bool = False, apply: bool = True
             ) -> tuple[PlanAllocation, int]:
    """Draw and store an allocation; returns it and how many collections' arm was set.

    `groups` default to the plan's groups, else every group of the partnership. Pupils
    need each class's size (`sizes`, else the size given to its collections). With
    `apply`, whole classes also become the plan's groups and their collections' arm."""
    if unit not in UNITS:
        raise PlanError([gettext("Allocate 'class' or 'pupil', not '%(unit)s'.", unit=unit)])
    plan = plan_for(partnership.id)
    if plan is not None and refresh_lock(plan):
        raise PlanError([gettext("The plan is locked: after answers have arrived, so a new "
                                 "random allocation would no longer be random. Allocate "
                                 "before the activity starts.")])
    known = partnership_groups(partnership.id)
    if not groups:
        groups = [(g["school"], g["group"]) for g in (plan.body["groups"] if plan else [])]
        groups = groups or known
    missing = [gettext("%(group)s at %(school)s", group=g, school=s)
               for s, g in groups if (s, g) not in known]
    if missing:
        raise PlanError([gettext("No such group: %(missing)s (groups: %(groups)s).",
                                 missing=", ".join(missing),
                                 groups=", ".join(f"{s}/{g}" for s, g in known)
                                 or gettext("none yet"))])
    if unit == "class" and len(set(groups)) < 2:
        raise PlanError([gettext("Allocating classes needs at least two classes.")])
    units: list[Unit] = []
    if unit == "class":
        units = [Unit(s, g) for s, g in groups]
    else:
        for s, g in groups:
            size = (sizes or {}).get((s, g)) or class_size(partnership.id, s, g)
            if not size:
                raise PlanError([gettext(
                    "How many pupils are in %(group)s at %(school)s? Give the class size "
                    "(pupil numbers 1 to that size are allocated).", group=g, school=s)])
            if not 2 <= int(size) <= MAX_PUPILS:
                raise PlanError([gettext(
                    "A class size must be 2 to %(most)s (%(group)s at %(school)s: %(size)s).",
                    most=MAX_PUPILS, group=g, school=s, size=size)])
            units += [Unit(s, g, n) for n in range(1, int(size) + 1)]
    if seed is None:
        seed = secrets.randbelow(MAX_SEED) + 1
    if not 0 <= seed <= MAX_SEED:
        raise PlanError([gettext("The seed must be a whole number from 0 to %(most)s.",
                                 most=MAX_SEED)])
    drawn = draw(units, seed, stratify=stratify)
    if plan is None:
        plan, _a, _c = save_plan(partnership, document.empty(), who)
    items = [{"school": u.school, "group": u.group, "pupil": u.pupil, "arm": arm}
             for u, arm in drawn]
    alloc = PlanAllocation(plan_id=plan.id, made_by=who, seed=seed, unit=unit,
                           stratified=stratify and unit == "class",
                           items_json=json.dumps(items, ensure_ascii=False))
    db.session.add(alloc)
    db.session.flush()
    changed = apply_allocation(partnership, plan, alloc, who) if apply else 0
    return alloc, changed


def apply_allocation(partnership: Partnership, plan: EvaluationPlan, alloc: PlanAllocation,
                     who: str) -> int:
    """Whole classes: record them as the plan's groups and set their collections' arm
    (comparison or not); returns the number of collections changed. Pupil allocations
    stay a list: a collection cannot be split between arms."""
    if alloc.unit != "class":
        return 0
    arms = {(i["school"], i["group"]): i["arm"] for i in alloc.items}
    body = plan.body
    others = [g for g in body["groups"] if (g["school"], g["group"]) not in arms]
    body["groups"] = others + [{"school": s, "group": g, "arm": a}
                               for (s, g), a in arms.items()]
    save_plan(partnership, body, who)
    changed = 0
    rows = db.session.execute(
        select(Collection, School.name, Group.name).join(Collection.group).join(Group.school)
        .where(School.partnership_id == partnership.id)).all()
    for collection, school, group in rows:
        arm = arms.get((school, group))
        if arm is None or collection.pilot:
            continue
        want = arm == "comparison"
        if collection.is_comparison != want:
            collection.is_comparison = want
            changed += 1
    db.session.flush()
    return changed


def allocation_sentence(alloc: PlanAllocation) -> str:
    """How the groups were formed, for the report: the design a funder should know."""
    how = {"class": "classes", "pupil": "pupils within each class (by pupil number)"}
    strata = " within each school" if alloc.stratified else ""
    took = sum(1 for i in alloc.items if i["arm"] == "taking_part")
    return (f"The {how[alloc.unit]} were allocated at random{strata} to take part or to be "
            f"the comparison group on {alloc.made_at:%d %B %Y} ({took} taking part, "
            f"{len(alloc.items) - took} comparison; seed {alloc.seed}, so the draw can be "
            "repeated and checked).")


def _items(alloc: PlanAllocation, school: str | None) -> list[dict]:
    return [i for i in alloc.items if school is None or i["school"] == school]


def allocation_rows(alloc: PlanAllocation, school: str | None = None) -> list[list[str]]:
    """The allocation as a table (school, group, pupil number, arm), for pages and print;
    `school`: that school's rows only (what its teachers see)."""
    return [[i["school"], i["group"], "" if i["pupil"] is None else str(i["pupil"]),
             document.ARMS[i["arm"]]] for i in _items(alloc, school)]


def balance(alloc: PlanAllocation, school: str | None = None) -> dict[str, tuple[int, int]]:
    """Per stratum (school, or school/class for pupils): (taking part, comparison)."""
    out: dict[str, list[int]] = {}
    for i in _items(alloc, school):
        key = i["school"] if i["pupil"] is None else f"{i['school']} / {i['group']}"
        counts = out.setdefault(key, [0, 0])
        counts[0 if i["arm"] == "taking_part" else 1] += 1
    return {k: (a, b) for k, (a, b) in out.items()}
