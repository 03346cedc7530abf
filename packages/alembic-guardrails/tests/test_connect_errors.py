"""A connection failure is one line that never shows the database password.

Drivers may echo what they were given, password included; the message built
from their error masks it, whatever the driver said.
"""

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from alembic_guardrails import _messages as messages
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


class DriverError(Exception):
    """What a driver raises: PostgreSQL drivers carry a SQLSTATE, MySQL drivers (code, message)."""

    def __init__(self, *args: object, sqlstate: str | None = None) -> None:
        super().__init__(*args)
        self.sqlstate = sqlstate


PG_URL = make_url(f"postgresql+psycopg://app:{SECRET}@db.example.com/shop")
MY_URL = make_url(f"mysql+pymysql://app:{SECRET}@db.example.com:3307/shop")
# The three failures a newcomer meets, as each driver reports them, and the message that names it.
KINDS = [
    (PG_URL, DriverError('connection to server at "db" failed: Connection refused'), "connect_unreachable"),
    (PG_URL, ConnectionRefusedError(111, "Connect call failed"), "connect_unreachable"),
    (MY_URL, DriverError(2003, "Can't connect to MySQL server on 'db.example.com'"), "connect_unreachable"),
    (PG_URL, DriverError('FATAL:  password authentication failed for user "app"'), "connect_login"),
    (PG_URL, DriverError("auth", sqlstate="28P01"), "connect_login"),
    (
        MY_URL,
        DriverError(1045, "Access denied for user 'app'@'10.0.0.1' (using password: YES)"),
        "connect_login",
    ),
    (PG_URL, DriverError('FATAL:  database "shop" does not exist'), "connect_no_database"),
    (PG_URL, DriverError("no catalog", sqlstate="3D000"), "connect_no_database"),
    (MY_URL, DriverError(1049, "Unknown database 'shop'"), "connect_no_database"),
    (PG_URL, DriverError("SSL error: certificate verify failed"), "connect_failed"),
]


@pytest.fixture(params=["en", "zh"])
def speaking(request):
    messages.set_language(request.param)
    yield request.param
    messages.set_language("en")


@pytest.mark.parametrize(("url", "driver_said", "key"), KINDS)
def test_each_kind_of_connection_failure_gets_its_own_line(speaking, url, driver_said, key):
    message = str(runtime._connect_error(OperationalError("connect", {}, driver_said), url))
    detail = runtime._first_line(OperationalError("connect", {}, driver_said), url)
    values = {"url": runtime._safe(url), "detail": detail}
    expected = {
        "connect_unreachable": lambda: messages.text(
            "connect_unreachable", address=f"db.example.com:{url.port or 5432}", **values
        ),
        "connect_login": lambda: messages.text("connect_login", user="app", **values),
        "connect_no_database": lambda: messages.text("connect_no_database", database="shop", **values),
        "connect_failed": lambda: messages.text("connect_failed", **values),
    }[key]()
    assert message == expected
    assert SECRET not in message and "\n" not in message
    if speaking == "zh" and key != "connect_failed":
        assert detail not in message  # the driver's English stays out of a Chinese line
