"""How large a pupil number may be in this installation: 1-99 by default, up to 999 for
large schools (the PUPIL_NUMBER_MAX setting). Web answers, blank packs' digit rows, hand
entry and the review queue all ask here."""

from __future__ import annotations

from flask import current_app, has_app_context

from forms.answers import PUPIL_NUMBER_MAX, pupil_number_digits


def pupil_number_max() -> int:
    """The largest pupil number accepted (PUPIL_NUMBER_MAX: 99 unless set, at most 999;
    the default outside the app, e.g. a script parsing '1-30')."""
    if not has_app_context():
        return PUPIL_NUMBER_MAX
    return int(current_app.config["PUPIL_NUMBER_MAX"])


def pupil_digits() -> int:
    """Digit rows a blank pack prints for the pupil number (2, or 3 up to 999)."""
    return pupil_number_digits(pupil_number_max())
