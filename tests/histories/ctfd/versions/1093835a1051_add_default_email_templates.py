"""Add default email templates

Revision ID: 1093835a1051
Revises: a03403986a32
Create Date: 2020-02-15 01:32:10.959373

"""

from alembic import op
from sqlalchemy.sql import column, table

# Changed for tests/histories (see ../README.md): was `from CTFd.models import db` (Flask-SQLAlchemy's
# `db`, whose Integer and Text are SQLAlchemy's own).
import sqlalchemy as db
# Changed for tests/histories (see ../README.md): was `from CTFd.utils.email import (...)`;
# the eight constants, copied from CTFd/constants/email.py at the same commit.
DEFAULT_VERIFICATION_EMAIL_SUBJECT = "Confirm your account for {ctf_name}"
DEFAULT_VERIFICATION_EMAIL_BODY = (
    "Welcome to {ctf_name}!\n\n"
    "Click the following link to confirm and activate your account:\n"
    "{url}"
    "\n\n"
    "If the link is not clickable, try copying and pasting it into your browser."
)
DEFAULT_SUCCESSFUL_REGISTRATION_EMAIL_SUBJECT = "Successfully registered for {ctf_name}"
DEFAULT_SUCCESSFUL_REGISTRATION_EMAIL_BODY = (
    "You've successfully registered for {ctf_name}!"
)
DEFAULT_USER_CREATION_EMAIL_SUBJECT = "Message from {ctf_name}"
DEFAULT_USER_CREATION_EMAIL_BODY = (
    "A new account has been created for you for {ctf_name} at {url}. \n\n"
    "Username: {name}\n"
    "Password: {password}"
)
DEFAULT_PASSWORD_RESET_SUBJECT = "Password Reset Request from {ctf_name}"
DEFAULT_PASSWORD_RESET_BODY = (
    "Did you initiate a password reset on {ctf_name}? "
    "If you didn't initiate this request you can ignore this email. \n\n"
    "Click the following link to reset your password:\n{url}\n\n"
    "If the link is not clickable, try copying and pasting it into your browser."
)

# revision identifiers, used by Alembic.
revision = "1093835a1051"
down_revision = "a03403986a32"
branch_labels = None
depends_on = None

configs_table = table(
    "config", column("id", db.Integer), column("key", db.Text), column("value", db.Text)
)


def get_config(key):
    connection = op.get_bind()
    return connection.execute(
        configs_table.select().where(configs_table.c.key == key).limit(1)
    ).fetchone()


def set_config(key, value):
    connection = op.get_bind()
    connection.execute(configs_table.insert().values(key=key, value=value))


def upgrade():
    # Only run if this instance already been setup before
    if bool(get_config("setup")) is True:
        for k, v in [
            ("password_reset_body", DEFAULT_PASSWORD_RESET_BODY),
            ("password_reset_subject", DEFAULT_PASSWORD_RESET_SUBJECT),
            (
                "successful_registration_email_body",
                DEFAULT_SUCCESSFUL_REGISTRATION_EMAIL_BODY,
            ),
            (
                "successful_registration_email_subject",
                DEFAULT_SUCCESSFUL_REGISTRATION_EMAIL_SUBJECT,
            ),
            ("user_creation_email_body", DEFAULT_USER_CREATION_EMAIL_BODY),
            ("user_creation_email_subject", DEFAULT_USER_CREATION_EMAIL_SUBJECT),
            ("verification_email_body", DEFAULT_VERIFICATION_EMAIL_BODY),
            ("verification_email_subject", DEFAULT_VERIFICATION_EMAIL_SUBJECT),
        ]:
            if get_config(k) is None:
                set_config(k, v)


def downgrade():
    pass
