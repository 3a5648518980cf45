"""Class packs through the app: serials and batches in the database, the installation id,
the `survey-app print` command and the "Print paper copies" page (scope, CSRF)."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from forms.sheetcode import decode_sheet_code
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.extensions import db
from survey_app.models import PrintBatch, Setting, Sheet
from survey_app.paper.operations import (
    PrintError,
    installation_id,
    parse_numbers,
    print_class_pack,
)
from tests.conftest import csrf_from, login_as, make_user
from tests.sheets.sheet_helpers import decode_qr, long_teacher_survey, render_pages


def collection(partnership, survey="pupil_attitudes_7_11", school="Oakfield Primary",
               group="Year 5 Oak", **kw):
    c = create_collection(partnership, survey_code=survey, school_name=school,
                          group_name=group, phase="before", **kw)
    db.session.commit()
    return c


def serials(c) -> list[int]:
    return list(db.session.scalars(select(Sheet.serial).where(Sheet.collection_id == c.id)
                                   .order_by(Sheet.serial)))


def test_serials_continue_across_reprints_and_the_master_is_zero(partnership, loaded_bank):
    c = collection(partnership)
    first = print_class_pack(c, 3)
    db.session.commit()
    assert first.sheet_ids == [f"{c.id}-1", f"{c.id}-2", f"{c.id}-3"]
    again = print_class_pack(c, 2, "letter")
    db.session.commit()
    assert again.sheet_ids == [f"{c.id}-4", f"{c.id}-5"]
    master = print_class_pack(c, master=True)
    db.session.commit()
    assert master.sheet_ids == [f"{c.id}-0"]
    reprint = print_class_pack(c, master=True)
    db.session.commit()
    assert reprint.sheet_ids == [f"{c.id}-0"]
    assert serials(c) == [0, 1, 2, 3, 4, 5]
    one_more = print_class_pack(c, 1)  # a lost sheet reprinted gets a new serial
    db.session.commit()
    assert one_more.sheet_ids == [f"{c.id}-6"]
    batches = db.session.scalars(select(PrintBatch).where(PrintBatch.collection_id == c.id)
                                 .order_by(PrintBatch.id)).all()
    assert [b.is_master for b in batches] == [False, False, True, True, False]
    assert [b.paper for b in batches][:2] == ["a4", "letter"]
    assert batches[0].layout_fingerprint != batches[1].layout_fingerprint


def test_batch_stores_the_layout_document_it_printed(partnership, loaded_bank):
    c = collection(partnership, ask_pupil_number=True)
    result = print_class_pack(c, 2)
    db.session.commit()
    stored = json.loads(db.session.get(PrintBatch, result.batch.id).layout_json)
    assert stored == result.document
    assert stored["fingerprint"] == result.batch.layout_fingerprint
    assert [s["sheet_id"] for s in stored["sheets"]] == result.sheet_ids
    assert stored["sheets"][0]["pages"][0]["pdf_page"] == 1  # after the cover
    codes = [q["code"] for q in stored["questions"]]
    assert codes[:2] == ["pupil_number_tens", "pupil_number_units"]
    images = render_pages(result.pdf)
    assert len(images) == 3
    page = stored["sheets"][1]["pages"][0]
    code = decode_sheet_code(decode_qr(images[page["pdf_page"]], page["qr"]))
    assert code.sheet_id == result.sheet_ids[1]
    assert code.installation == installation_id()
    assert code.matches_layout(stored["fingerprint"])


def test_personalised_pack_stores_pupil_numbers(partnership, loaded_bank):
    c = collection(partnership, ask_pupil_number=True)
    print_class_pack(c, 2)
    result = print_class_pack(c, numbers="1-30")
    db.session.commit()
    assert len(result.sheet_ids) == 30
    assert result.sheet_ids[0] == f"{c.id}-3"
    numbers = dict(db.session.execute(select(Sheet.serial, Sheet.pupil_number)
                                      .where(Sheet.collection_id == c.id)).all())
    assert numbers[3] == 1
    assert numbers[32] == 30
    assert numbers[1] is None
    assert result.document["pupil_number"] == "printed"
    assert not [q for q in result.document["questions"]
                if q["code"].startswith("pupil_number")]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"copies": 0}, "from 1 to 1000"),
    ({"copies": None}, "how many copies"),
    ({"copies": 5, "paper": "a5"}, "a4 or letter"),
    ({"numbers": "30-1"}, "smaller first"),
    ({"numbers": "one to ten"}, "like 1-30"),
    ({"numbers": "1-30", "copies": 25}, "make 30 sheets"),
    ({"numbers": "1-30", "master": True}, "either the master"),
])
def test_bad_requests_say_what_to_do(partnership, loaded_bank, kwargs, message):
    c = collection(partnership)
    with pytest.raises(PrintError, match=message):
        print_class_pack(c, **kwargs)
    db.session.rollback()
    assert serials(c) == []


def test_a_survey_longer_than_a_page_cannot_be_a_master(partnership, loaded_bank):
    load_survey_version(partnership, long_teacher_survey())
    db.session.commit()
    c = collection(partnership, survey="long")
    with pytest.raises(PrintError, match="cannot be a master"):
        print_class_pack(c, master=True)
    db.session.rollback()
    result = print_class_pack(c, 2)
    assert len(result.document["page_templates"]) == 2
    assert [p["pdf_page"] for p in result.document["sheets"][1]["pages"]] == [4, 5]


def test_installation_id_is_made_once_and_kept(app):
    first = installation_id()
    db.session.commit()
    assert first.isalnum()
    assert first.isupper()
    assert 4 <= len(first) <= 16
    assert installation_id() == first
    assert db.session.get(Setting, "installation_id").value == first


def test_parse_numbers():
    assert parse_numbers("1-30") == (1, 30)
    assert parse_numbers(" 5 ") == (5, 5)
    with pytest.raises(PrintError):
        parse_numbers("0-5")


# --- the command ---------------------------------------------------------------------


def test_cli_prints_a_pack_and_its_layout(runner, partnership, loaded_bank, tmp_path):
    c = collection(partnership, survey="teacher_confidence")
    pdf, lay = tmp_path / "pack.pdf", tmp_path / "pack.json"
    result = runner.invoke(args=["print", str(c.id), "--copies", "4", "--paper", "letter",
                                 "-o", str(pdf), "--layout", str(lay)])
    assert result.exit_code == 0, result.output
    assert f"{c.id}-1 to {c.id}-4" in result.output
    doc = json.loads(lay.read_text())
    assert doc["paper"] == "letter"
    assert len(render_pages(pdf.read_bytes(), dpi=20)) == 5
    assert [s["sheet_id"] for s in doc["sheets"]][-1] == f"{c.id}-4"
    result = runner.invoke(args=["print", str(c.id), "--numbers", "1-3", "-o", str(pdf)])
    assert result.exit_code == 0, result.output
    assert serials(c) == [1, 2, 3, 4, 5, 6, 7]


def test_cli_errors_are_sentences(runner, partnership, loaded_bank, tmp_path):
    out = str(tmp_path / "x.pdf")
    result = runner.invoke(args=["print", "999", "--copies", "3", "-o", out])
    assert result.exit_code == 1
    assert "no collection 999" in result.output
    c = collection(partnership)
    result = runner.invoke(args=["print", str(c.id), "-o", out])
    assert result.exit_code == 1
    assert "Say how many copies" in result.output
    assert not (tmp_path / "x.pdf").exists()


# --- the page ------------------------------------------------------------------------


def test_print_page_prefills_the_group_size_and_downloads_the_pdf(coordinator_client,
                                                                  partnership, loaded_bank):
    c = collection(partnership, expected_size=27)
    url = f"/admin/paper/collections/{c.id}/print"
    page = coordinator_client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="27"' in html
    assert "Print paper copies" in html
    resp = coordinator_client.post(url, data={"csrf_token": csrf_from(html), "kind": "pack",
                                              "copies": "27", "paper": "a4",
                                              "numbers": "1-27"})
    assert resp.status_code == 200
    assert resp.mimetype == "application/pdf"
    assert "attachment" in resp.headers["Content-Disposition"]
    assert resp.data.startswith(b"%PDF")
    assert serials(c) == list(range(1, 28))
    resp = coordinator_client.post(url, data={"csrf_token": csrf_from(html), "kind": "master",
                                              "copies": "27", "paper": "letter"})
    assert resp.mimetype == "application/pdf"
    assert serials(c)[0] == 0


def test_print_page_shows_errors_and_needs_csrf(coordinator_client, partnership,
                                                loaded_bank):
    c = collection(partnership)
    url = f"/admin/paper/collections/{c.id}/print"
    html = coordinator_client.get(url).get_data(as_text=True)
    resp = coordinator_client.post(url, data={"kind": "pack", "copies": "3", "paper": "a4"})
    assert resp.mimetype != "application/pdf"
    resp = coordinator_client.post(url, data={"csrf_token": csrf_from(html),
                                              "kind": "numbered", "numbers": "40-2",
                                              "paper": "a4"})
    assert resp.status_code == 200
    assert "the smaller first" in resp.get_data(as_text=True)
    assert serials(c) == []


def test_teachers_print_only_their_own_school(client, partnership, loaded_bank):
    ours = collection(partnership, school="Oakfield Primary")
    theirs = collection(partnership, school="Hillside Primary")
    make_user(partnership, "t@oakfield.example", "teacher", school="Oakfield Primary")
    login_as(client, "t@oakfield.example")
    assert client.get(f"/admin/paper/collections/{ours.id}/print").status_code == 200
    assert client.get(f"/admin/paper/collections/{theirs.id}/print").status_code == 404
    html = client.get(f"/admin/paper/collections/{ours.id}/print").get_data(as_text=True)
    resp = client.post(f"/admin/paper/collections/{theirs.id}/print",
                       data={"csrf_token": csrf_from(html), "kind": "pack", "copies": "2",
                             "paper": "a4"})
    assert resp.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Sheet)) == 0


def test_print_page_needs_login(client, partnership, loaded_bank):
    c = collection(partnership)
    resp = client.get(f"/admin/paper/collections/{c.id}/print")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_the_numbered_pack_is_the_default_where_the_pupil_number_is_asked(
        client, partnership, loaded_bank, coordinator):
    """Issue 11: printed numbers are the default (nothing for a young child to colour
    wrongly); the tens/units bubbles stay for blank packs."""
    asked = collection(partnership, ask_pupil_number=True)
    not_asked = collection(partnership, group="Year 4")
    db.session.commit()
    login_as(client, coordinator.email)
    html = client.get(f"/admin/paper/collections/{asked.id}/print").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="numbered"|'
                     r'<input[^>]*value="numbered"[^>]*checked', html)
    html = client.get(f"/admin/paper/collections/{not_asked.id}/print").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="pack"|'
                     r'<input[^>]*value="pack"[^>]*checked', html)


def test_print_page_offers_letters_home_only_for_a_parent_survey(coordinator_client,
                                                                  partnership, loaded_bank):
    import pypdfium2 as pdfium

    pupils = collection(partnership)
    html = coordinator_client.get(f"/admin/paper/collections/{pupils.id}/print"
                                  ).get_data(as_text=True)
    assert 'value="letters"' not in html
    parents = collection(partnership, survey="parent_views", ask_pupil_number=True)
    url = f"/admin/paper/collections/{parents.id}/print"
    html = coordinator_client.get(url).get_data(as_text=True)
    assert 'value="letters"' in html
    assert "Dear parent or carer" in html  # the standard letter, ready to edit
    resp = coordinator_client.post(url, data={
        "csrf_token": csrf_from(html), "kind": "letters", "numbers": "4-5", "paper": "a4",
        "letter": "Dear families,\nYear 5 went to the Light Fantastic workshop."})
    assert resp.mimetype == "application/pdf", resp.get_data(as_text=True)[:2000]
    assert 'filename="letters-' in resp.headers["Content-Disposition"]
    with pdfium.PdfDocument(resp.data) as pdf:
        texts = [page.get_textpage().get_text_range() for page in pdf]
    assert len(texts) == 2
    assert all("Light Fantastic" in t for t in texts)
    assert "Pupil number 4" in texts[0]
    assert "Pupil number 5" in texts[1]
    numbers = db.session.scalars(select(Sheet.pupil_number)
                                 .where(Sheet.collection_id == parents.id)).all()
    assert sorted(numbers) == [4, 5]


def _pdf_text(pdf: bytes) -> str:
    import pypdfium2 as pdfium

    with pdfium.PdfDocument(pdf) as doc:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def test_print_page_offers_the_survey_languages_and_prints_welsh_or_bilingual(
        coordinator_client, partnership, loaded_bank):
    c = collection(partnership, survey="pupil_attitudes_5_7")
    url = f"/admin/paper/collections/{c.id}/print"
    html = coordinator_client.get(url).get_data(as_text=True)
    for value, words in (("en", "English"), ("cy", "Cymraeg"),
                         ("cy+en", "Bilingual (Cymraeg / English)")):
        lang = f' lang="{value}"' if "+" not in value else ""
        assert re.search(rf'value="{re.escape(value)}"[^>]*>\s*<label for="language-\d"{lang}>'
                         rf'{re.escape(words)}</label>', html), value
    assert re.search(r'checked[^>]*value="en"|value="en"[^>]*checked', html)
    texts = {}
    for value in ("cy", "cy+en", "en"):
        resp = coordinator_client.post(url, data={"csrf_token": csrf_from(html),
                                                  "kind": "pack", "copies": "1", "paper": "a4",
                                                  "language": value})
        assert resp.mimetype == "application/pdf", resp.get_data(as_text=True)[:2000]
        texts[value] = _pdf_text(resp.data)
    assert "Wyt ti'n hoffi gwyddoniaeth?" in texts["cy"]
    assert "Do you like science?" not in texts["cy"]
    assert "Taflen" in texts["cy"]
    assert "Wyt ti'n hoffi" in texts["cy+en"]  # the Welsh column, wrapped in its half
    assert "Do you like science?" in texts["cy+en"]
    assert "gwyddoniaeth" not in texts["en"]
    assert "Do you like science?" in texts["en"]
    layouts = db.session.scalars(select(PrintBatch.layout_fingerprint)
                                 .where(PrintBatch.collection_id == c.id)).all()
    assert len(set(layouts)) == 3  # each language is its own layout, stored with its batch
    resp = coordinator_client.post(url, data={"csrf_token": csrf_from(html), "kind": "pack",
                                              "copies": "1", "paper": "a4", "language": "pl"})
    assert resp.mimetype != "application/pdf"
    assert "not written in &#39;pl&#39;" in resp.get_data(as_text=True)


def test_print_command_takes_a_language(runner, partnership, loaded_bank, tmp_path):
    c = collection(partnership, survey="light_check")
    out = tmp_path / "pack.pdf"
    result = runner.invoke(args=["print", str(c.id), "--copies", "1", "-o", str(out),
                                 "--language", "cy+en"])
    assert result.exit_code == 0, result.output
    text = _pdf_text(out.read_bytes())
    assert "Golau: gwiriad cyflym" in text
    assert "Light: quick check" in text
    bad = runner.invoke(args=["print", str(c.id), "--copies", "1", "-o", str(out),
                              "--language", "fr"])
    assert bad.exit_code == 1
    assert "not written in 'fr'" in bad.output


def test_a_pupil_surveys_print_page_never_speaks_of_letters(coordinator_client, partnership,
                                                              loaded_bank):
    """Letters home exist for parents' surveys only: a pupil survey's hints must not send a
    teacher looking for an option that is not there."""
    pupils = collection(partnership, ask_pupil_number=True)
    html = coordinator_client.get(f"/admin/paper/collections/{pupils.id}/print"
                                  ).get_data(as_text=True)
    words = re.sub(r"<[^>]*>", " ", html).lower()
    assert "letters home" not in words
    assert "parent" not in words
    parents = collection(partnership, survey="parent_views", group="Year 6")
    html = coordinator_client.get(f"/admin/paper/collections/{parents.id}/print"
                                  ).get_data(as_text=True)
    assert "For letters home" in html


def test_the_cover_sends_the_teacher_to_the_scans_page_by_its_menu_name(coordinator_client,
                                                                        partnership,
                                                                        loaded_bank):
    """The cover's "Scan" step names the page where a pile is uploaded as the menu does,
    with its address: a teacher holding the cover finds it without being shown."""
    import pypdfium2 as pdfium

    from print.cover import SCAN_PAGE

    c = collection(partnership)
    url = f"/admin/paper/collections/{c.id}/print"
    html = coordinator_client.get(url).get_data(as_text=True)
    nav = re.search(r"<nav.*?</nav>", html, re.S).group(0)
    assert f">{SCAN_PAGE.replace('&', '&amp;')}</a>" in nav
    resp = coordinator_client.post(url, data={"csrf_token": csrf_from(html), "kind": "pack",
                                              "copies": "2", "paper": "a4"})
    cover = pdfium.PdfDocument(resp.data)[0].get_textpage().get_text_range()
    text = " ".join(cover.split())
    assert f"Upload it on the website's {SCAN_PAGE} page (http://survey.test/admin/scans/)" \
        in text, text
    assert "collection's page" not in text


def test_a_numbered_packs_cover_hands_out_by_number_not_by_sheet(partnership, loaded_bank):
    """Pupil numbers 5-6 print on sheets <id>-1 and <id>-2: "give sheet number 1 to pupil 1"
    would hand pupil 1 the sheet printed for pupil 5."""
    import pypdfium2 as pdfium

    c = collection(partnership, ask_pupil_number=True)
    pack = print_class_pack(c, numbers="5-6")
    db.session.commit()
    cover = " ".join(pdfium.PdfDocument(pack.pdf)[0].get_textpage().get_text_range().split())
    assert "give each pupil the sheet with their number in your register" in cover, cover
    assert "sheet number 1" not in cover
