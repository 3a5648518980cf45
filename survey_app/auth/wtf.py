from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    submit = SubmitField(_l("Sign in"))


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password (at least 10 characters)"),
                             validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField(
        _l("Type it again"),
        validators=[DataRequired(), EqualTo("password", _l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Set password"))
