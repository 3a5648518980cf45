"""Download file names (survey_app.downloads): readable parts in the school's own letters,
an ASCII twin every browser keeps, and nothing from a name that can break the header."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from survey_app.admin.operations import create_collection
from survey_app.downloads import ascii_name, content_disposition, file_name
from survey_app.extensions import db
from survey_app.models import School
from tests.conftest import csrf_from


def test_file_name_joins_readable_parts():
    assert file_name("paper", "St Anne's High (lead school)", "Year 5 Oak", "3-1-to-3-30",
                     suffix=".pdf") == "paper-st-annes-high-lead-school-year-5-oak-3-1-to-3-30.pdf"
    assert file_name("impact-report", "Riverside", None, "", suffix=".pdf") == \
        "impact-report-riverside.pdf"
    assert file_name("x", "Ysgol Llŷn", suffix=".pdf") == "x-ysgol-llŷn.pdf"
    assert ascii_name("x-ysgol-llŷn.pdf") == "x-ysgol-llyn.pdf"


@pytest.mark.parametrize("hostile", ['a"; filename=evil.html', "a\r\nX-Evil: 1",
                                     "../../etc/passwd", "Ysgol \u202egnp.exe"])
def test_nothing_in_a_name_breaks_the_header(hostile):
    header = content_disposition(file_name("paper", hostile, suffix=".pdf"))
    assert header.count("filename=") == 1
    assert not set(header) & set("\r\n\\/")
    assert header.startswith('attachment; filename="paper-')


def test_a_welsh_name_keeps_its_letters_in_filename_star():
    header = content_disposition(file_name("paper", "Ysgol Llŷn", suffix=".pdf"))
    assert 'filename="paper-ysgol-llyn.pdf"' in header
    assert unquote(re.search(r"filename\*=UTF-8''(\S+)", header).group(1)) == \
        "paper-ysgol-llŷn.pdf"
    assert "filename*" not in content_disposition("plain.pdf", inline=True)


def _names(resp) -> tuple[str, str | None]:
    header = resp.headers["Content-Disposition"]
    star = re.search(r"filename\*=UTF-8''(\S+)", header)
    return (re.search(r'filename="([^"]+)"', header).group(1),
            unquote(star.group(1)) if star else None)


def test_the_impact_report_is_named_after_partnership_survey_and_school(
        coordinator_client, partnership, loaded_bank):
    create_collection(partnership, survey_code="pupil_attitudes_7_11",
                      school_name="Ysgol Llŷn", group_name="Blwyddyn 5", phase="before")
    db.session.commit()
    school = db.session.query(School).filter_by(name="Ysgol Llŷn").one()
    slug = file_name(partnership.name, suffix="")
    resp = coordinator_client.get("/results/report.pdf")
    assert resp.mimetype == "application/pdf"
    assert _names(resp) == (f"impact-report-{slug}.pdf", None)
    resp = coordinator_client.get(
        f"/results/report.pdf?survey=pupil_attitudes_7_11&school={school.id}")
    assert _names(resp) == (
        f"impact-report-{slug}-pupil-attitudes-7-11-ysgol-llyn.pdf",
        f"impact-report-{slug}-pupil-attitudes-7-11-ysgol-llŷn.pdf")
    assert resp.headers["Content-Disposition"].startswith("inline;")


def test_the_class_pack_names_school_and_class_in_their_own_letters(coordinator_client,
                                                                    partnership,
                                                                    loaded_bank):
    c = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                          school_name="Ysgol Llŷn", group_name="Blwyddyn 5", phase="before")
    db.session.commit()
    url = f"/admin/paper/collections/{c.id}/print"
    html = coordinator_client.get(url).get_data(as_text=True)
    resp = coordinator_client.post(url, data={"csrf_token": csrf_from(html), "kind": "pack",
                                              "copies": "2", "paper": "a4"})
    assert resp.mimetype == "application/pdf"
    assert _names(resp) == (f"paper-ysgol-llyn-blwyddyn-5-{c.id}-1-to-{c.id}-2.pdf",
                            f"paper-ysgol-llŷn-blwyddyn-5-{c.id}-1-to-{c.id}-2.pdf")


def test_a_plain_ascii_name_is_kept_as_it_is():
    """Survey codes keep their underscores: researchers' scripts match the file names."""
    assert content_disposition("pupil_attitudes_7_11-codebook.csv") == \
        'attachment; filename="pupil_attitudes_7_11-codebook.csv"'
    assert content_disposition("allocation.pdf", inline=True) == \
        'inline; filename="allocation.pdf"'


def test_every_download_header_is_made_in_one_place():
    """A header written by hand in a view (as six once were) is where a name could add a
    parameter; only survey_app/downloads.py writes `filename=`."""
    root = Path(__file__).resolve().parents[2] / "survey_app"
    header = re.compile(r"""(attachment|inline)[;'"]""")
    by_hand = [str(p.relative_to(root)) for p in root.rglob("*.py")
               if p.name != "downloads.py" and header.search(p.read_text(encoding="utf-8"))]
    assert by_hand == []
