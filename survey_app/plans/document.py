"""The plan document: its shape, validation (with a sentence per problem), and the
difference between two versions in words.

One shape serves the database (`EvaluationPlan.body_json`), the pages and the YAML file
that `survey-app plan export` writes and `survey-app plan load` reads:

    evaluation_question: Does working with a secondary school raise pupils' interest?
    time_points: [before, after]
    questions:                       # contributory evaluation questions
      - code: q1
        text: Do pupils understand more about light?
        outcomes:
          - code: light_knowledge
            title: Pupils understand how light travels
            category: pupils_understanding
            primary: true
            indicators:
              - text: Share rating their knowledge "a lot" after the workshop
                measures:
                  - {survey: workshop_knowledge, question: light_travel}
                  - {text: Teachers' notes on pupils' explanations}
    groups:
      - {school: Alderley Primary, group: Year 5 Oak, arm: taking_part}
"""

from __future__ import annotations

import re
from typing import Any

#: The DfE advice's impact categories (docs/coordinator/plan.md), then the partnership's own.
CATEGORIES = {
    "pupils_understanding": "Pupils' understanding and knowledge",
    "pupils_attitudes": "Pupils' attitudes, in their own view",
    "pupils_behaviour": "Pupils' behaviour, in their teachers' view",
    "teachers_skills": "Teachers' interest, confidence and skills",
    "school_links": "Links between schools",
    "own": "The partnership's own outcome",
}
#: The category a bank question's `measures` suggests (anything else: the partnership's own).
MEASURE_CATEGORY = {
    "knowledge": "pupils_understanding", "enjoyment": "pupils_attitudes",
    "confidence": "pupils_attitudes", "interest": "pupils_attitudes",
    "identity": "pupils_attitudes", "careers": "pupils_attitudes",
    "teacher_confidence": "teachers_skills", "teacher_competence": "teachers_skills",
    "teacher_interest": "teachers_skills", "speaking_up": "pupils_behaviour",
    "participation": "pupils_behaviour", "recommend": "school_links",
    "partnership": "school_links",
}
#: The moments a plan may measure at (a collection's phase names them).
TIME_POINTS = ("before", "during", "after", "follow-up", "once")
#: Answers in these phases lock the plan's primary outcomes.
LOCKING_PHASES = ("after", "follow-up")
ARMS = {"taking_part": "Taking part", "comparison": "Comparison"}
PLAN_KEYS = ("evaluation_question", "time_points", "questions", "groups", "allocation")
QUESTION_KEYS = ("code", "text", "outcomes")
OUTCOME_KEYS = ("code", "title", "category", "primary", "indicators")
INDICATOR_KEYS = ("text", "measures")
GROUP_KEYS = ("school", "group", "arm")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_TEXT = 500
MAX_ITEMS = 200


class PlanError(ValueError):
    """A plan that cannot be stored; `problems` lists every reason, in words."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def empty() -> dict[str, Any]:
    return {"evaluation_question": "", "time_points": ["before", "after"], "questions": [],
            "groups": []}


def slug(text: str, taken: set[str] | None = None, prefix: str = "o") -> str:
    """A code made from words ("Pupils' interest" -> pupils_interest), unique in `taken`."""
    base = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40] or prefix
    if not base[0].isalpha():
        base = f"{prefix}_{base}"
    code, n = base, 2
    while taken and code in taken:
        code, n = f"{base}_{n}", n + 1
    return code


class _Check:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[str] = []

    def add(self, node: Any, key: str | None, message: str) -> None:
        line = None
        lines = getattr(node, "lines", None)
        if key is not None and isinstance(lines, dict):
            line = lines.get(key)
        if line is None:
            line = getattr(node, "line", None)
        where = f"{self.file}:{line}" if line else self.file
        self.problems.append(f"{where}: {message}")

    def keys(self, node: dict, allowed: tuple[str, ...], what: str) -> None:
        for key in node:
            if key not in allowed:
                self.add(node, key, f"{what}: unknown field '{key}' (expected one of "
                         f"{', '.join(allowed)})")

    def text(self, node: dict, key: str, what: str, *, required: bool = True) -> str:
        value = node.get(key)
        if value is None or value == "":
            if required:
                self.add(node, key, f"{what}: '{key}' is missing")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.add(node, key, f"{what}: '{key}' must be text")
            return ""
        value = " ".join(str(value).split())
        if len(value) > MAX_TEXT:
            self.add(node, key, f"{what}: '{key}' is longer than {MAX_TEXT} characters")
        return value

    def items(self, node: dict, key: str, what: str) -> list:
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(node, key, f"{what}: '{key}' must be a list (each item starting "
                     "with '- ')")
            return []
        if len(value) > MAX_ITEMS:
            self.add(node, key, f"{what}: more than {MAX_ITEMS} items in '{key}'")
            return []
        return value

    def mapping(self, parent: Any, value: Any, what: str) -> bool:
        if isinstance(value, dict):
            return True
        self.add(parent, None, f"{what} must be a mapping of fields (code:, text: ...)")
        return False


def validate(doc: Any, file: str = "<plan>") -> dict[str, Any]:
    """The plan in canonical form; raises PlanError listing every problem with its line."""
    c = _Check(file)
    if not isinstance(doc, dict):
        raise PlanError([f"{file}: a plan file must be a mapping with evaluation_question, "
                         "questions, groups and time_points"])
    c.keys(doc, PLAN_KEYS, "plan")
    out: dict[str, Any] = {"evaluation_question": c.text(doc, "evaluation_question", "plan",
                                                         required=False)}
    points = doc.get("time_points", ["before", "after"])
    if not isinstance(points, list) or not all(isinstance(p, str) for p in points):
        c.add(doc, "time_points", "plan: 'time_points' must be a list such as "
              "[before, after]")
        points = []
    for p in points:
        if p not in TIME_POINTS:
            c.add(doc, "time_points", f"plan: unknown time point '{p}' (expected "
                  f"{', '.join(TIME_POINTS)})")
    out["time_points"] = [p for p in TIME_POINTS if p in points]
    out["questions"] = []
    codes: set[str] = set()
    q_codes: set[str] = set()
    for i, q in enumerate(c.items(doc, "questions", "plan"), 1):
        what = f"evaluation question {i}"
        if not c.mapping(doc.get("questions"), q, what):
            continue
        c.keys(q, QUESTION_KEYS, what)
        code = _code(c, q, what, q_codes)
        item = {"code": code, "text": c.text(q, "text", what), "outcomes": []}
        for j, o in enumerate(c.items(q, "outcomes", what), 1):
            outcome = _outcome(c, q.get("outcomes"), o, f"{what}, outcome {j}", codes)
            if outcome is not None:
                item["outcomes"].append(outcome)
        out["questions"].append(item)
    out["groups"] = []
    seen_groups: set[tuple[str, str]] = set()
    for i, g in enumerate(c.items(doc, "groups", "plan"), 1):
        what = f"group {i}"
        if not c.mapping(doc.get("groups"), g, what):
            continue
        c.keys(g, GROUP_KEYS, what)
        item = {"school": c.text(g, "school", what), "group": c.text(g, "group", what),
                "arm": g.get("arm")}
        if item["arm"] not in ARMS:
            c.add(g, "arm", f"{what}: 'arm' must be taking_part or comparison")
        key = (item["school"], item["group"])
        if key in seen_groups:
            c.add(g, "group", f"{what}: {item['group']} at {item['school']} is listed twice")
        seen_groups.add(key)
        out["groups"].append(item)
    if c.problems:
        raise PlanError(c.problems)
    return out


def _code(c: _Check, node: dict, what: str, taken: set[str]) -> str:
    code = node.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        c.add(node, "code", f"{what}: bad code {code!r}: use a lower-case letter, then "
              "letters, digits or _")
        return ""
    if code in taken:
        c.add(node, "code", f"{what}: the code '{code}' is used twice")
    taken.add(code)
    return code


def _outcome(c: _Check, parent: Any, o: Any, what: str, codes: set[str]) -> dict | None:
    if not c.mapping(parent, o, what):
        return None
    c.keys(o, OUTCOME_KEYS, what)
    category = o.get("category", "own")
    if category not in CATEGORIES:
        c.add(o, "category", f"{what}: unknown category {category!r} (expected one of "
              f"{', '.join(CATEGORIES)})")
    primary = o.get("primary", False)
    if not isinstance(primary, bool):
        c.add(o, "primary", f"{what}: 'primary' must be true or false")
    out = {"code": _code(c, o, what, codes), "title": c.text(o, "title", what),
           "category": category, "primary": primary is True, "indicators": []}
    for k, ind in enumerate(c.items(o, "indicators", what), 1):
        w = f"{what}, indicator {k}"
        if not c.mapping(o.get("indicators"), ind, w):
            continue
        c.keys(ind, INDICATOR_KEYS, w)
        item = {"text": c.text(ind, "text", w), "measures": []}
        for m_i, m in enumerate(c.items(ind, "measures", w), 1):
            mw = f"{w}, measure {m_i}"
            if not c.mapping(ind.get("measures"), m, mw):
                continue
            c.keys(m, ("survey", "question", "text"), mw)
            if "survey" in m or "question" in m:
                item["measures"].append({"survey": c.text(m, "survey", mw),
                                         "question": c.text(m, "question", mw)})
            else:
                item["measures"].append({"text": c.text(m, "text", mw)})
        out["indicators"].append(item)
    return out


# --- reading the document ----------------------------------------------------------------


def outcomes(body: dict) -> list[dict]:
    """Every outcome, in plan order, with its evaluation question's text under "question"."""
    return [{**o, "question": q["text"]} for q in body.get("questions", [])
            for o in q.get("outcomes", [])]


def measured(outcome: dict) -> list[tuple[str, str]]:
    """The (survey code, question code) pairs that measure an outcome, in order."""
    out: list[tuple[str, str]] = []
    for ind in outcome.get("indicators", []):
        for m in ind.get("measures", []):
            if m.get("survey") and (m["survey"], m["question"]) not in out:
                out.append((m["survey"], m["question"]))
    return out


def survey_codes(body: dict) -> list[str]:
    """The surveys the plan names, in order."""
    return list(dict.fromkeys(s for o in outcomes(body) for s, _q in measured(o)))


def primary_questions(body: dict, survey_code: str) -> list[str]:
    """The question codes of `survey_code` that measure a primary outcome."""
    return list(dict.fromkeys(q for o in outcomes(body) if o["primary"]
                              for s, q in measured(o) if s == survey_code))


# --- differences in words ----------------------------------------------------------------


def _measure_words(m: dict) -> str:
    return f"{m['survey']}.{m['question']}" if m.get("survey") else f"'{m['text']}'"


def _outcome_words(o: dict) -> str:
    parts = [f"'{o['title']}' ({CATEGORIES.get(o['category'], o['category'])}"
             f"{', primary' if o['primary'] else ''})"]
    for ind in o["indicators"]:
        parts.append(f"indicator '{ind['text']}' measured by "
                     + (", ".join(_measure_words(m) for m in ind["measures"]) or "nothing yet"))
    return "; ".join(parts)


def differences(old: dict, new: dict) -> tuple[list[str], bool]:
    """What changed from `old` to `new`, one sentence each, and whether a primary outcome
    (one that was or is primary) changed."""
    lines: list[str] = []
    primary = False
    if old.get("evaluation_question") != new.get("evaluation_question"):
        lines.append(f"Evaluation question changed from '{old.get('evaluation_question')}' "
                     f"to '{new.get('evaluation_question')}'.")
    if old.get("time_points") != new.get("time_points"):
        lines.append(f"Time points changed from {', '.join(old.get('time_points', []))} to "
                     f"{', '.join(new.get('time_points', []))}.")
    oq = {q["code"]: q["text"] for q in old.get("questions", [])}
    nq = {q["code"]: q["text"] for q in new.get("questions", [])}
    for code in oq.keys() - nq.keys():
        lines.append(f"Evaluation question '{oq[code]}' removed.")
    for code in nq.keys() - oq.keys():
        lines.append(f"Evaluation question '{nq[code]}' added.")
    for code in oq.keys() & nq.keys():
        if oq[code] != nq[code]:
            lines.append(f"Evaluation question '{oq[code]}' reworded: '{nq[code]}'.")
    oo = {o["code"]: o for o in outcomes(old)}
    no = {o["code"]: o for o in outcomes(new)}
    for code in oo:
        if code not in no:
            lines.append(f"Outcome removed: {_outcome_words(oo[code])}.")
            primary |= oo[code]["primary"]
    for code in no:
        if code not in oo:
            lines.append(f"Outcome added: {_outcome_words(no[code])}.")
            primary |= no[code]["primary"]
            continue
        a, b = oo[code], no[code]
        if a["primary"] != b["primary"]:
            lines.append(f"Outcome '{b['title']}' "
                         f"{'made primary' if b['primary'] else 'no longer primary'}.")
            primary = True
        strip = ("question",)
        if {k: v for k, v in a.items() if k not in strip + ("primary",)} != \
                {k: v for k, v in b.items() if k not in strip + ("primary",)}:
            lines.append(f"Outcome changed: was {_outcome_words(a)}; now "
                         f"{_outcome_words(b)}.")
            primary |= a["primary"] or b["primary"]
    og = {(g["school"], g["group"]): g["arm"] for g in old.get("groups", [])}
    ng = {(g["school"], g["group"]): g["arm"] for g in new.get("groups", [])}
    for key in sorted(og.keys() | ng.keys()):
        if og.get(key) != ng.get(key):
            before = ARMS.get(og.get(key), "not in the plan")
            after = ARMS.get(ng.get(key), "not in the plan")
            lines.append(f"Group {key[1]} at {key[0]}: {before.lower()} -> {after.lower()}.")
    return lines, primary
