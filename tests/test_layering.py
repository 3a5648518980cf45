"""The import rules, stated once and checked on the source (every import, at any depth).

    forms        the pure core: standard library + PyYAML only
    print        forms (+ reportlab, qrcode)
    scanner      forms (+ OpenCV, numpy, Pillow, pypdfium2, pillow-heif)
    survey_app   any of the three, Flask and the rest; inside it, each part imports only
                 the parts listed in SURVEY_APP below

and no module uses another module's private `_` names (`private_uses`): a helper two
modules share has a public name, with a docstring saying who shares it and why.

`print` and `scanner` never import each other, Flask, a database or `survey_app`: they meet
only in the layout `forms` computes. A new dependency between parts of the app is a design
decision: add it to SURVEY_APP, where a reviewer sees it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}

#: Top-level packages each library package may import besides the standard library.
LIBRARIES: dict[str, frozenset[str]] = {
    "forms": frozenset({"forms", "yaml"}),
    "print": frozenset({"print", "forms", "reportlab", "qrcode"}),
    "scanner": frozenset({"scanner", "forms", "cv2", "numpy", "PIL", "pillow_heif",
                          "pypdfium2"}),
}

#: The foundation every part may use: settings, extensions, tables, stored files, links,
#: who-sees-what, and partnerships/schools by name. It imports only itself (and forms).
FOUNDATION = frozenset({
    "config", "extensions", "models", "storage", "urls", "proxies", "pupil_numbers",
    "access", "partnerships", "join.codes", "languages", "downloads", "words",
})
#: Part of survey_app -> the other parts it may import (the foundation is always allowed).
#: "*" is the app factory and the CLI, which assemble everything.
SURVEY_APP: dict[str, frozenset[str]] = {
    "auth": frozenset(),
    "answer": frozenset(),
    "join": frozenset(),
    "web": frozenset(),
    "backup": frozenset(),
    "migrating": frozenset(),
    "admin": frozenset({"auth"}),
    "erasure": frozenset({"admin"}),
    "export": frozenset({"admin"}),
    "paper": frozenset({"admin"}),
    "builder": frozenset({"admin", "answer"}),
    # Plans read results (outcomes of a plan) and results read plans (a report's plan
    # section): one feature in two packages, declared here as the one known cycle.
    "plans": frozenset({"admin", "builder", "results"}),
    "results": frozenset({"admin", "plans"}),
    "scans": frozenset({"admin", "answer", "paper", "results"}),
    "demo": frozenset({"admin", "answer", "auth", "plans"}),
    "serve": frozenset({"demo"}),
    "cli": frozenset({"*"}),
    "__init__": frozenset({"*"}),
}


def part_of(module: str) -> str:
    """`survey_app.admin.views` -> "admin"; `survey_app.join.codes` -> "join.codes" (a
    foundation module inside a part); `survey_app.config` -> "config"."""
    parts = module.split(".")[1:]
    if not parts:
        return "__init__"
    if ".".join(parts[:2]) in FOUNDATION:
        return ".".join(parts[:2])
    return parts[0]


def _imports(tree: ast.AST) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every absolute import, including those inside functions."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module, [a.name for a in node.names]))
    return found


def violations(module: str, source: str) -> list[str]:
    """What `module` (dotted name) imports against the rules, as readable sentences."""
    out = []
    package = module.split(".")[0]
    for line, target, names in _imports(ast.parse(source)):
        top = target.split(".")[0]
        if top in STDLIB:
            continue
        where = f"{module}:{line} imports {target}"
        if package in LIBRARIES:
            if top not in LIBRARIES[package]:
                out.append(f"{where}: {package} may import only {sorted(LIBRARIES[package])}")
            continue
        if top != "survey_app":
            continue
        # `from survey_app import access` names a module: judge each name as one.
        targets = ([f"survey_app.{n}" for n in names] if target == "survey_app"
                   else [target])
        mine = part_of(module)
        for t in targets:
            theirs = part_of(t)
            if theirs == mine or theirs in FOUNDATION or t == "survey_app.create_app":
                continue
            if mine in FOUNDATION:
                out.append(f"{where}: the foundation ({mine}) imports no part above it")
                continue
            allowed = SURVEY_APP.get(mine)
            if allowed is None:
                out.append(f"{where}: {mine} is not in tests/test_layering.py SURVEY_APP")
            elif "*" not in allowed and theirs not in allowed:
                out.append(f"{where}: {mine} may import {sorted(allowed) or 'no other part'}")
        if target.startswith("survey_app.") and part_of(target) != part_of(module):
            private = [n for n in names if n.startswith("_")]
            if private:
                out.append(f"{where}: private names {private} of another part")
    return out


def _modules():
    for package in ("forms", "print", "scanner", "survey_app"):
        for path in sorted((REPO / package).rglob("*.py")):
            rel = path.relative_to(REPO)
            if "migrations" in rel.parts:
                continue
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__" and len(parts) > 1:
                parts.pop()
            yield ".".join(parts), path


@pytest.mark.parametrize(("module", "path"), list(_modules()), ids=lambda v: str(v)[-60:])
def test_module_keeps_the_import_rules(module, path):
    assert violations(module, path.read_text(encoding="utf-8")) == []


def test_every_part_of_the_app_is_in_the_rules():
    parts = {part_of(m) for m, _p in _modules() if m.startswith("survey_app")}
    assert sorted(parts - FOUNDATION - set(SURVEY_APP)) == []


@pytest.mark.parametrize(("module", "source", "expected"), [
    ("forms.scales", "import flask\n", "forms may import only"),
    ("forms.scales", "def f():\n    from survey_app import models\n", "forms may import only"),
    ("print.sheets", "from scanner import measure\n", "print may import only"),
    ("scanner.pipeline", "from print import sheets\n", "scanner may import only"),
    ("scanner.pipeline", "import flask\n", "scanner may import only"),
    ("survey_app.auth.operations", "from survey_app.admin.operations import SetupError\n",
     "auth may import no other part"),
    ("survey_app.models.people", "from survey_app.admin import views\n",
     "the foundation (models) imports no part above it"),
    ("survey_app.builder.views", "from survey_app.admin.views import _outcome_sentence\n",
     "private names ['_outcome_sentence']"),
    ("survey_app.newpart.views", "from survey_app.admin import operations\n",
     "newpart is not in tests/test_layering.py SURVEY_APP"),
])
def test_a_violation_is_caught(module, source, expected):
    """The rules can fail: each old or plausible mistake is reported."""
    found = violations(module, source)
    assert any(expected in v for v in found), found


@pytest.mark.parametrize(("module", "source"), [
    ("tests.support.synthetic", "from print import render_pack\n"),  # test rig, not shipped
    ("survey_app.builder.views", "from survey_app.admin.operations import survey_label\n"),
    ("survey_app.scans.views", "from survey_app import access, storage\n"),
    ("print.sheets", "import os\nfrom forms.layout import Layout\nimport reportlab\n"),
])
def test_allowed_imports_pass(module, source):
    assert violations(module, source) == []


#: Packages whose `_` names are private to their module.
OURS = frozenset({"forms", "print", "scanner", "survey_app", "tests"})


def _is_module(dotted: str) -> bool:
    path = REPO.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(module: str, source: str, *, package: bool = False) -> list[str]:
    """Where `module` (dotted name) reaches into another module's private `_` names: an
    import-from of a `_` name (`from survey_app.scans.upload import _write_atomic`), or an
    attribute `_x` of one of our modules it imported (`rings._windows`). A helper two
    modules share gets a public name in the module that owns it instead
    (docs/developing/architecture.md). `package`: `module` is a package's `__init__`, so a
    relative import starts from the package itself."""
    out = []
    tree = ast.parse(source)
    here = module.split(".") + (["__init__"] if package else [])
    modules: dict[str, str] = {}  # local name -> one of our modules
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in OURS:
                    local = a.asname or a.name.split(".")[0]
                    modules[local] = a.name if a.asname else local
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(here[:len(here) - node.level] + ([base] if base else []))
            if base.split(".")[0] not in OURS:
                continue
            for a in node.names:
                if _private(a.name):
                    out.append(f"{module}:{node.lineno} imports {a.name} from {base}")
                elif _is_module(f"{base}.{a.name}"):
                    modules[a.asname or a.name] = f"{base}.{a.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in modules and _private(node.attr):
            out.append(f"{module}:{node.lineno} uses {modules[node.value.id]}.{node.attr}")
    return out


def test_no_module_uses_another_modules_private_names():
    found = [use for module, path in _modules()
             for use in private_uses(module, path.read_text(encoding="utf-8"),
                                     package=path.name == "__init__.py")]
    assert found == []


def test_tests_use_only_the_products_public_names():
    """Tests go through public names too; their own helpers they may share."""
    found = [use for path in sorted((REPO / "tests").rglob("*.py"))
             for use in private_uses(".".join(path.relative_to(REPO).with_suffix("").parts),
                                     path.read_text(encoding="utf-8"))
             if use.split(" from ")[-1].split(".")[0] != "tests"
             and not use.split(" uses ")[-1].startswith("tests.")]
    assert found == []


@pytest.mark.parametrize(("module", "source", "expected"), [
    ("survey_app.scans.importing", "from survey_app.scans.upload import _write_atomic\n",
     "imports _write_atomic from survey_app.scans.upload"),
    ("survey_app.scans.importing", "from .upload import ok, _write_atomic\n",
     "imports _write_atomic from survey_app.scans.upload"),
    ("scanner.darkness", "from scanner import rings\n\nw = rings._windows(img)\n",
     "uses scanner.rings._windows"),
    ("scanner.darkness", "import scanner.rings as r\n\ndef f():\n    return r._soft\n",
     "uses scanner.rings._soft"),
    ("tests.scan.test_x", "import survey_app\n\nsurvey_app._secret\n",
     "uses survey_app._secret"),
])
def test_a_private_use_is_caught(module, source, expected):
    found = private_uses(module, source)
    assert any(expected in use for use in found), found


def test_a_packages_relative_import_starts_from_the_package():
    assert private_uses("forms.layout", "from .text import _r\n", package=True) == [
        "forms.layout:1 imports _r from forms.layout.text"]


@pytest.mark.parametrize("source", [
    "from survey_app.scans.upload import write_atomic\n",
    "from __future__ import annotations\nimport os\n\nos._exit(0)\n",  # not ours
    "from scanner import rings\n\nrings.__name__\n",  # a dunder is public
    "from survey_app.results.stats import scipy_stats\n\nscipy_stats()._private\n",
])
def test_public_uses_pass(source):
    assert private_uses("scanner.darkness", source) == []


def _class_names() -> dict[str, list[str]]:
    """Every module-level class name in the product's packages -> the modules defining it."""
    names: dict[str, list[str]] = {}
    for package in ("forms", "print", "scanner", "survey_app"):
        for path in sorted((REPO / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.ClassDef):
                    names.setdefault(node.name, []).append(str(path.relative_to(REPO)))
    return names


def test_no_two_classes_share_a_name():
    """One name, one thing: a `Survey` in `forms` and another in `models` had to be imported
    under aliases, and a reader could not tell which was meant."""
    doubles = {name: where for name, where in _class_names().items() if len(where) > 1}
    assert doubles == {}

