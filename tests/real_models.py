"""A baked project's models.py, shaped like a real application's (tests/test_real_models.py).

A multi-tenant task tracker with invoicing: composite primary and foreign
keys, cascading foreign keys (CASCADE, SET NULL), named CHECK constraints,
unnamed CHECKs from Boolean(create_constraint=True) and non-native Enum,
native enums, Float(precision=53), UnicodeText, String(8000), indexes on
foreign-key columns, unique constraints, server defaults and comments. The
`users` table keeps the columns of the project's first revision.

This file is text for the baked project (it imports the baked package's
schema module), never imported by the template's tests.
"""

import datetime
import decimal
import enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    Unicode,
    UnicodeText,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .schema import metadata


class Base(DeclarativeBase):
    metadata = metadata


class Plan(enum.Enum):
    free = "free"
    team = "team"
    enterprise = "enterprise"


TASK_STATUS = ("todo", "doing", "review", "done")


class Organization(Base):
    __tablename__ = "organizations"
    __table_args__ = {"comment": "A customer account; every other row belongs to one"}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    plan: Mapped[Plan] = mapped_column(Enum(Plan, name="plan"), server_default="free")
    is_active: Mapped[bool] = mapped_column(Boolean(create_constraint=True), server_default=true())
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str | None] = mapped_column(String(255), unique=True)
    display_name: Mapped[str | None] = mapped_column(Unicode(100), comment="Shown instead of name")
    bio: Mapped[str | None] = mapped_column(UnicodeText)
    is_admin: Mapped[bool] = mapped_column(Boolean(create_constraint=True), server_default=false())
    karma: Mapped[float | None] = mapped_column(Float(precision=53))
    locale: Mapped[str] = mapped_column(
        Enum("en", "zh", "fr", name="user_locale", native_enum=False, create_constraint=True, length=8),
        server_default="en",
    )


class Session(Base):
    __tablename__ = "sessions"

    # unique=True on a primary key: PostgreSQL drops the duplicate UNIQUE.
    token: Mapped[str] = mapped_column(String(64), primary_key=True, unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(8), unique=True)
    hashed_secret: Mapped[str] = mapped_column(String(128))
    revoked: Mapped[bool] = mapped_column(Boolean(create_constraint=True), server_default=false())
    expires_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))


class Team(Base):
    __tablename__ = "teams"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    slug: Mapped[str] = mapped_column(String(50), primary_key=True)
    title: Mapped[str] = mapped_column(Unicode(200))


class TeamMember(Base):
    __tablename__ = "team_members"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "team_slug"],
            ["teams.organization_id", "teams.slug"],
            ondelete="CASCADE",
        ),
    )

    organization_id: Mapped[int] = mapped_column(primary_key=True)
    team_slug: Mapped[str] = mapped_column(String(50), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    is_lead: Mapped[bool] = mapped_column(Boolean(create_constraint=True), server_default=false())


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("organization_id", "name"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(UnicodeText)
    archived: Mapped[bool] = mapped_column(Boolean(create_constraint=True), server_default=false())


class Label(Base):
    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(50))
    color: Mapped[str] = mapped_column(String(7), server_default="#cccccc")


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_range"),
        Index("ix_tasks_project_id_status", "project_id", "status"),
        {"comment": "Work items"},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(UnicodeText)
    status: Mapped[str] = mapped_column(Enum(*TASK_STATUS, name="task_status"), server_default="todo")
    priority: Mapped[int] = mapped_column(SmallInteger, server_default=text("3"))
    estimate_hours: Mapped[decimal.Decimal | None] = mapped_column(Numeric(6, 2))
    due_on: Mapped[datetime.date | None] = mapped_column(Date)


class TaskLabel(Base):
    __tablename__ = "task_labels"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    label_id: Mapped[int] = mapped_column(
        ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(UnicodeText)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(Unicode(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("organization_id", "number"),
        CheckConstraint("total >= 0", name="total_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(32))
    total: Mapped[decimal.Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))
    currency: Mapped[str] = mapped_column(String(3), server_default="EUR")
    paid: Mapped[bool] = mapped_column(Boolean(create_constraint=True), server_default=false())
    issued_on: Mapped[datetime.date] = mapped_column(Date)


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    description: Mapped[str] = mapped_column(String(8000), comment="Free text, printed on the invoice")
    quantity: Mapped[decimal.Decimal] = mapped_column(Numeric(10, 3), server_default=text("1"))
    unit_price: Mapped[float] = mapped_column(Float(precision=53))


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(
        Enum("card", "transfer", "cash", name="payment_method", native_enum=False, create_constraint=True)
    )
    amount: Mapped[decimal.Decimal] = mapped_column(Numeric(12, 2))
    received_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Setting(Base):
    __tablename__ = "settings"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)


class Webhook(Base):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean(create_constraint=True), server_default=true())
    failures: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(50))
    payload: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    read: Mapped[bool] = mapped_column(Boolean(create_constraint=True), server_default=false())
