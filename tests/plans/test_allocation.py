"""Random allocation: the same seed gives the same allocation, stratification balances
each school, and the draw is stored, applied to collections and exported."""

from __future__ import annotations

import random

import yaml

from survey_app.extensions import db
from survey_app.plans.allocation import Unit, draw
from survey_app.plans.operations import plan_for


def _classes(n_schools: int, per_school: int) -> list[Unit]:
    return [Unit(f"School {s}", f"Class {c}") for s in range(n_schools)
            for c in range(per_school)]


def test_same_seed_same_allocation_and_seeds_differ():
    units = _classes(4, 5)
    shuffled = random.Random(1).sample(units, len(units))
    assert draw(units, 42, stratify=False) == draw(shuffled, 42, stratify=False)
    allocations = {tuple(arm for _u, arm in draw(units, seed, stratify=False))
                   for seed in range(20)}
    assert len(allocations) > 15  # different seeds give different draws


def test_stratified_draw_balances_every_school():
    units = _classes(5, 5) + [Unit("Small School", "Only class")]
    for seed in range(50):
        drawn = draw(units, seed, stratify=True)
        for school in {u.school for u in units}:
            arms = [arm for u, arm in drawn if u.school == school]
            assert abs(arms.count("taking_part") - arms.count("comparison")) <= 1


def test_unstratified_draw_balances_overall_but_not_per_school():
    units = _classes(5, 4)
    unbalanced = 0
    for seed in range(50):
        drawn = draw(units, seed, stratify=False)
        arms = [arm for _u, arm in drawn]
        assert arms.count("taking_part") == arms.count("comparison") == 10
        for s in range(5):
            school = [arm for u, arm in drawn if u.school == f"School {s}"]
            unbalanced += school.count("taking_part") != 2
    assert unbalanced > 0  # stratifying is what makes each school balanced


def test_pupils_are_allocated_within_each_class():
    units = [Unit("A", "Oak", n) for n in range(1, 30)] + [Unit("A", "Ash", n)
                                                          for n in range(1, 11)]
    drawn = draw(units, 7, stratify=False)
    for group, size in (("Oak", 29), ("Ash", 10)):
        arms = [arm for u, arm in drawn if u.group == group]
        assert len(arms) == size
        assert abs(arms.count("taking_part") - arms.count("comparison")) <= 1


def test_cli_allocation_is_reproducible_stored_applied_and_exported(app, runner, partnership,
                                                                    classes, tmp_path):
    args = ["plan", "allocate", "--stratify", "--seed", "4711"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "Seed 4711" in first.output
    assert "Alderley Primary: 1 taking part, 1 comparison" in first.output
    assert "Birch Primary: 1 taking part, 1 comparison" in first.output
    again = runner.invoke(args=args + ["--dry-run"])
    table = lambda out: [ln for ln in out.splitlines() if ln.count("\t") == 3]  # noqa: E731
    assert table(first.output) == table(again.output)
    assert len(table(first.output)) == 4
    db.session.expire_all()
    plan = plan_for(partnership.id)
    arms = {(g["school"], g["group"]): g["arm"] for g in plan.body["groups"]}
    assert len(arms) == 4
    for key, collection in classes.items():
        db.session.refresh(collection)
        assert collection.is_comparison == (arms[key] == "comparison")
    out = tmp_path / "plan.yaml"
    assert runner.invoke(args=["plan", "export", "-o", str(out)]).exit_code == 0
    exported = yaml.safe_load(out.read_text())
    assert exported["allocation"]["seed"] == 4711
    assert {(i["school"], i["group"]): i["arm"] for i in exported["allocation"]["items"]} == arms


def test_cli_pupil_allocation_uses_class_sizes(app, runner, partnership, classes, tmp_path):
    pdf = tmp_path / "allocation.pdf"
    out = runner.invoke(args=["plan", "allocate", "--unit", "pupil", "--seed", "12",
                              "--group", "Alderley Primary/Year 5 Oak",
                              "--size", "Alderley Primary/Year 5 Oak=27", "-o", str(pdf)])
    assert out.exit_code == 0, out.output
    assert "Alderley Primary / Year 5 Oak: 14 taking part, 13 comparison" in out.output \
        or "Alderley Primary / Year 5 Oak: 13 taking part, 14 comparison" in out.output
    assert pdf.read_bytes().startswith(b"%PDF")
    bad = runner.invoke(args=["plan", "allocate", "--group", "Nowhere/Nobody"])
    assert bad.exit_code == 1
    assert "No such group" in bad.output
