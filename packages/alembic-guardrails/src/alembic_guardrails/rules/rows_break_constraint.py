"""A constraint over rows that already break it: the upgrade would fail on them, whatever `-x` says.

Checked against the database autogenerate compares with (_row_checks.py): the
operation itself is often safe (a foreign key, a unique constraint, NOT NULL),
the rows it meets are not. The written revision asks the same question again
before its DDL, on the database it upgrades.
"""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from .._messages import in_language
from ._rule import DIALECTS, Context, Finding, Rule

RULE = Rule(
    id="rows-break-constraint",
    verdict="refuse",
    dialects=DIALECTS,
    authority=(
        "the databases' manuals (ALTER TABLE ... ADD CONSTRAINT checks every existing row) / "
        "strong_migrations: Adding a foreign key, Adding a unique constraint, Setting NOT NULL"
    ),
    message={
        "en": "{kind} {name}: {count} existing row(s) break it; list them: {query}",
        "zh": "{kind} {name}：已有 {count} 行违反它；列出这些行：{query}",
    },
    safe={
        "en": (
            "The upgrade fails on such rows (on SQLite a foreign key's orphans are copied unchecked unless "
            "`PRAGMA foreign_keys` is on, and the key then stands over rows it denies). "
            "Fix or delete those rows first (the query lists them): by hand on this database, and for the "
            'others in a data revision before this one (`alembic revision -m "fix ..."`, an UPDATE or '
            "DELETE in its upgrade()). Then run the command again. The written revision checks again "
            "before its DDL (`refuse_breaking_rows`), so a database that still has such rows stops there "
            "with nothing changed."
        ),
        "zh": (
            "这样的行会让升级失败（在 SQLite 上，除非打开 `PRAGMA foreign_keys`，外键的孤儿行会被原样复制，外键便立在它不允许的行之上）。"
            "先修正或删除这些行（上面的查询会列出它们）：在这个数据库上手工处理；其他数据库则在这次迁移之前加一个"
            '数据迁移（`alembic revision -m "fix ..."`，在 upgrade() 中 UPDATE 或 DELETE）。然后重新运行命令。'
            "生成的迁移在执行 DDL 之前会再检查一次（`refuse_breaking_rows`），仍有这类行的数据库会停在那里，什么都不改。"
        ),
    },
    overridable=False,
)

KINDS = {
    "foreign key": {"en": "foreign key", "zh": "外键"},
    "unique": {"en": "unique", "zh": "唯一约束"},
    "check": {"en": "check", "zh": "CHECK 约束"},
    "not null": {"en": "NOT NULL on", "zh": "NOT NULL 列"},
}


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    # Only where autogenerate compares against a database: Context.breaking_rows asks it.
    if context.breaking_rows is None:
        return
    found = context.breaking_rows(op, context)
    if found is None:
        return
    row_check, count = found
    kind = in_language(KINDS[row_check.kind])
    yield RULE.finding(
        row_check.table, kind=kind, name=row_check.constraint, count=count, query=row_check.rows
    )
