"""A connection failure is one line that never shows the database password.

Drivers may echo what they were given, password included; the message built
from their error masks it, whatever the driver said.
"""

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from alembic_guardrails import _runtime as runtime

SECRET = "s3cr3t-pw"


def test_a_password_the_driver_echoes_is_masked():
    url = make_url(f"postgresql+psycopg://app:{SECRET}@db.example.com:5432/app")
    driver_said = Exception(f'could not connect to "host=db.example.com password={SECRET}"\nDETAIL: refused')
    error = runtime._connect_error(OperationalError("connect", {}, driver_said), url)
    message = str(error)
    assert SECRET not in message
    assert "password=***" in message
    assert "\n" not in message
    assert message.startswith("cannot connect to the database in DATABASE_URL")
