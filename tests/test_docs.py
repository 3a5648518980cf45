"""The README stays a short front door, and its links and pictures lead somewhere. The docs
site itself is built with `mkdocs build --strict` by `make docs` (part of `make test`),
which fails on a broken link inside docs/; the README is outside the site, so it is
checked here."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
SCREENSHOTS = REPO / "docs" / "screenshots"
#: A newcomer reads it on one screen or two; the rest belongs in docs/.
README_MAX_LINES = 200

_LINK = re.compile(r"""\]\(([^)\s]+)\)|\bsrc="([^"]+)\"""")


def relative_targets(markdown: str) -> list[str]:
    """Every link and image target in a Markdown text that points into the repository."""
    targets = [a or b for a, b in _LINK.findall(markdown)]
    return [t.split("#", 1)[0] for t in targets
            if not re.match(r"^[a-z]+:", t) and not t.startswith("#")]


def test_readme_is_short():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines; move detail into a page under docs/")


def test_readme_links_and_pictures_exist():
    targets = relative_targets(README.read_text(encoding="utf-8"))
    assert any(t.endswith(".png") for t in targets), "the README shows screenshots"
    missing = [t for t in targets if not (REPO / t).exists()]
    assert missing == []


def test_docs_pages_show_pictures_in_markdown():
    """mkdocs --strict checks Markdown links and images, and rewrites their paths for the
    built site (a page becomes `page/index.html`); it does neither for an HTML `<img src>`,
    which then breaks silently. Size a picture with `![alt](path){ width="300" }`."""
    raw = [str(page.relative_to(REPO)) for page in sorted((REPO / "docs").rglob("*.md"))
           if "<img" in page.read_text(encoding="utf-8")]
    assert raw == []


def test_the_link_finder_sees_a_broken_link():
    """The check above can fail: a made-up page and picture are found and reported."""
    text = ('See [x](docs/no-such-page.md#part) and <img src="docs/none.png">, '
            'not [y](https://example.org) or [z](#here).')
    assert relative_targets(text) == ["docs/no-such-page.md", "docs/none.png"]


def test_every_screenshot_comes_from_the_script():
    """Pictures are made by scripts/screenshots.py only (never by tests), kept in one
    folder, docs/screenshots/, and each is named in the script so it can be made again."""
    script = (REPO / "scripts" / "screenshots.py").read_text(encoding="utf-8")
    pictures = sorted((REPO / "docs").rglob("*.png"))
    assert pictures, "docs/screenshots/ holds the pictures the pages show"
    elsewhere = [str(p.relative_to(REPO)) for p in pictures if p.parent != SCREENSHOTS]
    assert elsewhere == [], "keep pictures in docs/screenshots/"
    assert [p.name for p in pictures if f'"{p.name}"' not in script] == []


#: Files a comment may not point at: they are not in the repository, so a reader cannot
#: follow the pointer (the evaluation advice is summed up in docs/coordinator/plan.md).
_DANGLING = re.compile(r"\b(EVALUATION|DESIGN|STYLE)\.md\b|\bthe issue\b")


def dangling_references(text: str) -> list[str]:
    """Lines of a source file that point at a document the repository does not hold."""
    return [line.strip() for line in text.splitlines() if _DANGLING.search(line)]


def test_the_check_finds_a_dangling_reference():
    source = "x = 1  # see EVALUATION.md\n# as the issue asks\n# docs/coordinator/plan.md\n"
    assert dangling_references(source) == ["x = 1  # see EVALUATION.md", "# as the issue asks"]


def test_no_source_points_at_a_document_not_in_the_repository():
    found = []
    for folder in ("survey_app", "forms", "print", "scanner", "tests", "benchmarks"):
        for path in sorted((REPO / folder).rglob("*")):
            if path.suffix in {".py", ".html", ".js", ".yaml"} and path != Path(__file__):
                found += [f"{path.relative_to(REPO)}: {line}"
                          for line in dangling_references(path.read_text(encoding="utf-8"))]
    assert found == []
