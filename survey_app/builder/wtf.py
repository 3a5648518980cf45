"""The builder's form: the upload field (CSRF is checked for every POST by CSRFProtect).
The draft's own fields are many and change with every question, so the views read them
from the posted data with `operations.Draft.from_form`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField


class BuilderForm(FlaskForm):
    """One form for every builder button; each button posts its own `action`."""

    yaml_file = FileField(_l("Survey file (.yaml)"))
