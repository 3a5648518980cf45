"""Many pupils submitting at once: exact counts, nothing lost, nothing doubled."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from survey_app.admin.operations import create_collection
from survey_app.answer.operations import record_response
from survey_app.extensions import db
from survey_app.models import Answer, Collection, Response

PUPILS = 60
THREADS = 8


def test_concurrent_submissions_with_double_taps_store_one_each(app, loaded_bank, partnership):
    collection = create_collection(partnership, survey_code="pupil_attitudes_5_7",
                                   school_name="Oak Primary", group_name="Year 2",
                                   phase="before")
    db.session.commit()
    cid = collection.id

    def submit(i: int) -> bool:
        with app.app_context():
            c = db.session.get(Collection, cid)
            # Every pupil taps Send twice: the same submission key arrives twice.
            _, created = record_response(c, {"enjoy": str(1 + i % 3), "good_at": "2"},
                                         source="web", submission_key=f"web:pupil-{i // 2}")
            db.session.remove()
            return created

    with ThreadPoolExecutor(THREADS) as pool:
        created = list(pool.map(submit, range(PUPILS * 2)))

    assert sum(created) == PUPILS
    assert db.session.scalar(select(func.count()).select_from(Response)) == PUPILS
    assert db.session.scalar(select(func.count()).select_from(Answer)) == PUPILS * 2
    keys = db.session.scalars(select(Response.submission_key)).all()
    assert sorted(keys) == sorted(f"web:pupil-{i}" for i in range(PUPILS))
