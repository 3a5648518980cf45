"""The class-pack cover speaks the sheets' language: its words go through the app's catalog
for that language (print/cover.py marks them, babel.cfg extracts them), whatever language
the staff page that printed it uses. A throwaway Welsh catalog marks every message with
[cy], so the test needs no translator and fails if a cover sentence skips the catalog."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo

from forms.definition import parse_survey
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.extensions import babel, db
from survey_app.paper.operations import print_class_pack
from survey_app.urls import cover_web_text
from tests.web.test_languages import BILINGUAL

ROOT = Path(__file__).resolve().parents[2]
MARK = "[cy] "
#: The gettext names the catalog is extracted with (the Makefile's `-k lazy_gettext -k _l`).
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}


@pytest.fixture
def marked_welsh(app, tmp_path):
    """The app's Welsh catalog replaced by one that marks every cover and app message."""
    catalog = Catalog(locale="cy")
    sources = [(ROOT / "print", [("cover.py", "python")]),
               (ROOT / "survey_app", [("**.py", "python")])]
    for folder, method in sources:
        for _f, _l, message, _c, _ctx in extract_from_dir(str(folder), method_map=method,
                                                          keywords=KEYWORDS):
            if isinstance(message, str) and message:
                catalog.add(message, MARK + message)
    out = tmp_path / "marked" / "cy" / "LC_MESSAGES"
    out.mkdir(parents=True)
    with (out / "messages.mo").open("wb") as f:
        write_mo(f, catalog)
    state = app.extensions["babel"]
    saved = state.translation_directories
    state.translation_directories = [str(tmp_path / "marked")]
    babel.domain_instance.cache.clear()
    yield
    state.translation_directories = saved
    babel.domain_instance.cache.clear()


def _cover(partnership, language: str) -> str:
    load_survey_version(partnership, parse_survey(BILINGUAL))
    c = create_collection(partnership, survey_code="club_cy", school_name="Ysgol y Deri",
                          group_name="Blwyddyn 5", phase="before", language=language)
    pack = print_class_pack(c, copies=3, scan_url="http://survey.test/admin/scans/",
                            web_url=cover_web_text(c))
    db.session.commit()
    return " ".join(pdfium.PdfDocument(pack.pdf)[0].get_textpage().get_text_range().split())


def test_a_welsh_pack_has_a_welsh_cover(marked_welsh, partnership):
    cover = _cover(partnership, "cy")
    for words in ("Paper copies for the teacher", "School:", "Phase:", "before", "Hand out",
                  "Give one sheet to each pupil", "Explain", "Scan the whole pile",
                  "Upload it on the website's", "Check", "Collection ",
                  "Pupils with a tablet or phone can answer online instead: [cy] http"):
        assert f"{MARK}{words}" in cover, words
    # The join code's sentence too, though the page that asked for the pack was English.
    assert re.search(r"\[cy\] http://\S+ \(or open http://\S+/join and type the code "
                     r"[A-Z0-9]{3}-[A-Z0-9]{3}\)", cover)
    # The menu's name for the upload page, and the sheets line, come from the catalog too.
    assert f"page ({MARK}Scans & review" not in cover
    assert re.search(r"\[cy\] Upload it on the website's \[cy\] Scans & review "
                     r"\(Scans & review\) page", cover)
    assert re.search(r"\[cy\] \d+-1 to \d+-3 \(3 sheets\)", cover)


def test_a_welsh_pack_cover_reads_in_welsh_with_the_shipped_catalog(partnership):
    """With the real catalog: every sentence of the cover is Welsh, and the upload page is
    named in Welsh and in English, the menu's word on a teacher's English pages."""
    cover = _cover(partnership, "cy")
    for english in ("Paper copies for the teacher", "Hand out", "Give one sheet",
                    "There are no right or wrong answers", "Scan the whole pile",
                    "Upload it on", "The website reads", "Pupils with a tablet", "Sheets:",
                    "sheets)", "Collection ", "or open", "type the code"):
        assert english not in cover, english
    for welsh in ("Copïau papur i'r athro", "Taflenni:", "Cam: cyn", "Rhowch un daflen",
                  "Nid oes atebion cywir nac anghywir",
                  "ar dudalen Sganiau ac adolygu (Scans & review) y wefan", "(3 taflen)",
                  "(neu agorwch http", "a theipio'r cod"):
        assert welsh in cover, welsh


def test_an_english_pack_has_an_english_cover(marked_welsh, partnership):
    cover = _cover(partnership, "en")
    assert "Paper copies for the teacher" in cover
    assert MARK.strip() not in cover


def test_a_bilingual_pack_has_a_cover_in_the_first_language(marked_welsh, partnership):
    load_survey_version(partnership, parse_survey(BILINGUAL))
    c = create_collection(partnership, survey_code="club_cy", school_name="Ysgol y Deri",
                          group_name="Blwyddyn 6", phase="after")
    pack = print_class_pack(c, copies=2, language="cy+en")
    db.session.commit()
    cover = " ".join(pdfium.PdfDocument(pack.pdf)[0].get_textpage().get_text_range().split())
    assert f"{MARK}Paper copies for the teacher" in cover
    assert f"{MARK}after" in cover


def test_a_letter_home_says_the_join_code_in_english_from_a_welsh_staff_page(
        app, loaded_bank, partnership):
    """Letters home are English (print/letters.py): the join code's sentence, made lazily
    by `cover_web_text`, must not come out in the Welsh of the page that asked for them."""
    from flask_babel import force_locale

    from survey_app.paper.letters import print_letter_pack

    c = create_collection(partnership, survey_code="parent_views", school_name="Oak Primary",
                          group_name="Year 5", phase="after", ask_pupil_number=False)
    db.session.flush()
    with force_locale("cy"):
        pack = print_letter_pack(c, copies=1, web_url="http://survey.test/s/abc",
                                 web_text=cover_web_text(c))
    db.session.commit()
    letter = " ".join(pdfium.PdfDocument(pack.pdf)[0].get_textpage().get_text_range().split())
    assert re.search(r"/join and type the code [A-Z0-9]{3}-[A-Z0-9]{3}\)", letter)
    assert "agorwch" not in letter
