"""The results-table CSV's file name is built from safe parts: a query value can neither
add a parameter to Content-Disposition nor break the header (issue 12, low items)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("question", ['career"; filename=evil.html', "career\r\nX-Evil: 1",
                                      "../../etc/passwd", "career\nline"])
def test_results_table_file_name_takes_nothing_unsafe_from_the_query(coordinator_client,
                                                                     results_data, question):
    resp = coordinator_client.get("/results/survey/res_test/tables.csv",
                                  query_string={"question": question})
    assert resp.status_code == 200
    disposition = resp.headers["Content-Disposition"]
    assert disposition.count("filename=") == 1
    assert disposition.startswith('attachment; filename="res_test-results')
    assert disposition.endswith('.csv"')
    name = disposition.split("filename=", 1)[1].strip('"')
    assert not set(name) & set('"\\/;\r\n ')
    assert "X-Evil" not in resp.headers


def test_a_plain_question_keeps_its_name(coordinator_client, results_data):
    resp = coordinator_client.get("/results/survey/res_test/tables.csv?question=career")
    assert resp.headers["Content-Disposition"] == \
        'attachment; filename="res_test-results-career.csv"'
