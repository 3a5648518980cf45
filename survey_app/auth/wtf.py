from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])
    submit = SubmitField("Sign in")


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password (at least 10 characters)",
                             validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField(
        "Type it again",
        validators=[DataRequired(), EqualTo("password", "The two passwords differ.")],
    )
    submit = SubmitField("Set password")
