"""What the migration guards say, in the team's language.

The language is alembic.ini's `language` option (en or zh), set once by
`Guardrails.from_config`; English where it is unset.
"""

LANGUAGE = "en"

MESSAGES = {
    "en": {
        "empty_revision": (
            "No schema change detected, so no revision was written. Changes the database cannot show are not "
            "detected either (a comment on SQLite, a value removed from a non-native Enum without a CHECK). "
            'For a data-only migration, run `alembic revision -m "..."` without --autogenerate.'
        ),
        "destructive": "Refusing to write a revision that loses data or fails on existing rows:",
        "destructive_fix": (
            "Review the model change; if this is intended, re-run as: "
            "alembic -x allow_destructive=true revision --autogenerate -m ..."
        ),
        "protected": "Refusing to write a revision that damages a protected table:",
        "protected_fix": (
            "Protected tables are listed in alembic.ini (protected_tables). If this is intended, re-run as: "
            "alembic -x allow_protected={tables} -x allow_destructive=true revision --autogenerate -m ..."
        ),
        "drop_table": "drop table (its rows are lost)",
        "drop_column": "drop column (its values are lost)",
        "narrow_type": "narrow type {old} -> {new}",
        "not_null": "set NOT NULL without a server default (fails on NULL rows)",
        "review": "Review",
        "drop_index": "drop index {name}",
        "drop_constraint": "drop {kind} {name}",
        "add_not_null": (
            "add NOT NULL column without a server default (PostgreSQL and SQLite fail if the table has rows; "
            "MySQL/MariaDB silently fill them with '' or 0): give it a server_default, "
            "or add it nullable, backfill, then make it NOT NULL"
        ),
        "add_identity": (
            "add identity column to a table that has rows: only PostgreSQL numbers the existing rows "
            "(SQLite fails; MySQL/MariaDB drop Identity() and fill 0): add it nullable, backfill, "
            "then make it NOT NULL"
        ),
        "unique_default": (
            "add column with server default {default} under unique {name}: every existing row gets the same "
            "value, so the upgrade fails once the table has two rows; add the column without the default "
            "(NULLs never collide), fill distinct values, then add the unique constraint"
        ),
        "production_banner": "Environment: prod; database: {target}; command: {command}",
        "production_downgrade": (
            "Refusing to downgrade a production database: downgrades usually drop data. "
            "If this is intended, re-run as: alembic -x allow_downgrade=true downgrade ..."
        ),
        "revision_failed": "revision {revision} ({file}) failed: {reason}; the database is at {current}",
        "mysql_leftovers": (
            "; MySQL/MariaDB cannot roll back DDL: what {revision} changed before it stopped stays, "
            "undo it by hand before upgrading again"
        ),
        "interrupted": (
            "interrupted (Ctrl-C) while running revision {revision} ({file}); the database is at {current}; "
            "the migration lock is released"
        ),
        "interrupted_between": (
            "interrupted (Ctrl-C) between revisions; the database is at {current}; the migration lock is released"
        ),
        "at_base": "base (no revision applied)",
        "current_unknown": "an unknown revision (cannot read alembic_version: {reason})",
        "url_in_ini": (
            "alembic.ini sets sqlalchemy.url, which this project does not use: the database URL belongs in "
            "DATABASE_URL (export it, or put it in .env). Delete the sqlalchemy.url line from alembic.ini"
        ),
        "environment_conflict": (
            "Warning: APP_ENV={app_env} but ALEMBIC_ENV={alembic_env}: migrations run as {environment} "
            "(ALEMBIC_ENV wins). Unset ALEMBIC_ENV, or make the two agree"
        ),
        "conflict_downgrade": (
            "Refusing to downgrade: APP_ENV={app_env} and ALEMBIC_ENV={alembic_env} disagree and one of them "
            "is prod. If this is intended, re-run as: alembic -x allow_downgrade=true downgrade ..."
        ),
        "interrupted_outside": (
            "interrupted (Ctrl-C) while no revision was running (connecting, or waiting for the migration lock); "
            "run `alembic current` to see the database's revision"
        ),
        "lock_retry": (
            "Lock retry {attempt}: waited {timeout} (MIGRATION_LOCK_TIMEOUT) for a lock on: {statement}; "
            "blocked by {blockers}; rolled back, trying again in {pause} s"
        ),
        "lock_retry_unknown": "another session",
        "lock_retry_budget": (
            "Lock retries: gave up after {tries} attempts, the budget of {budget} "
            "(MIGRATION_LOCK_RETRY_BUDGET) is spent"
        ),
        "lock_retry_autocommit": (
            "Lock retries: not retrying, this revision ran statements in autocommit_block() and they are "
            "already committed; check what it did, then re-run"
        ),
        "lock_retry_mysql": (
            "Lock retries: not retrying, on MySQL/MariaDB this revision's first {done} statement(s) already "
            "committed (DDL commits as it goes); check what it did, then re-run"
        ),
        "copies_table": "{operation} rewrites the whole table on MySQL/MariaDB (ALGORITHM=COPY), blocking writes",
        "bad_flag": "-x {flag}={value} is not understood: use true or false (also 1/0, yes/no, on/off).",
        "bad_rename": (
            "-x rename={spec} is not understood: use table.old_column:new_column for a column, "
            "old_table:new_table for a table, several separated by commas."
        ),
        "rename_unmatched": (
            "-x rename={old}:{new} matches nothing: this revision does not drop {old} and add {new}; check the names."
        ),
        "maybe_rename_table": (
            '(a rename? write op.rename_table("{old}", "{new}"), or re-run with -x rename={old}:{new})'
        ),
        "maybe_rename_column": (
            '(a rename? write op.alter_column("{table}", "{old}", new_column_name="{new}"), '
            "or re-run with -x rename={table}.{old}:{new})"
        ),
        "empty_index": (
            "Index {name} on table {table} has no columns: name at least one column in the model's Index(...), "
            "or remove it."
        ),
        "review_drop_not_null": "drop NOT NULL: code that reads this column must now handle NULL",
        "review_rewrite": "type {old} -> {new} rewrites the whole table under an exclusive lock on PostgreSQL",
        "review_copy": "type {old} -> {new} copies the whole table on MySQL/MariaDB, blocking writes meanwhile",
        "review_filled": (
            "NOT NULL with a server default: the revision first sets the rows that are NULL to the default"
        ),
        "review_volatile_default": (
            "server default {default} is evaluated per row: PostgreSQL rewrites the whole table to add the column"
        ),
        "review_identity": (
            "identity column: PostgreSQL numbers every existing row, rewriting the whole table under an "
            "exclusive lock"
        ),
        "review_generated_rewrite": (
            "generated column: PostgreSQL computes it for every existing row, rewriting the whole table "
            "under an exclusive lock"
        ),
        "review_generated_copy": (
            "stored generated column: MySQL/MariaDB copy the whole table to compute it, blocking writes "
            "meanwhile (a virtual one, persisted=False, is added in place)"
        ),
        "review_unique_constraint": (
            "unique {name} on a table that has rows: the upgrade fails if existing rows have duplicates"
        ),
        "review_index": (
            "index {name} built without CONCURRENTLY: PostgreSQL blocks writes to the table while it builds"
        ),
        "review_foreign_key_named": (
            "foreign key {name} on a table that has rows: every row is checked with both tables locked "
            "(on PostgreSQL, add it NOT VALID and VALIDATE it separately)"
        ),
    },
    "zh": {
        "empty_revision": (
            "没有检测到任何 schema 变更，因此没有生成迁移文件。数据库本身无法体现的变更同样检测不到"
            "（例如 SQLite 上的注释、没有 CHECK 约束的非原生 Enum 删除了取值）。"
            '如需纯数据迁移，请不带 --autogenerate 运行 `alembic revision -m "..."`。'
        ),
        "destructive": "拒绝生成会丢失数据或在已有数据上失败的迁移：",
        "destructive_fix": (
            "请先检查模型改动；如确属有意，请这样重新运行："
            "alembic -x allow_destructive=true revision --autogenerate -m ..."
        ),
        "protected": "拒绝生成会破坏受保护表的迁移：",
        "protected_fix": (
            "受保护的表列在 alembic.ini 的 protected_tables 中。如确属有意，请这样重新运行："
            "alembic -x allow_protected={tables} -x allow_destructive=true revision --autogenerate -m ..."
        ),
        "drop_table": "删除表（其中的数据将丢失）",
        "drop_column": "删除列（其中的数据将丢失）",
        "narrow_type": "收窄类型 {old} -> {new}",
        "not_null": "改为 NOT NULL 但没有服务端默认值（已有 NULL 行时会失败）",
        "review": "请复核",
        "drop_index": "删除索引 {name}",
        "drop_constraint": "删除 {kind} 约束 {name}",
        "add_not_null": (
            "新增 NOT NULL 列但没有服务端默认值（表中已有数据时 PostgreSQL 和 SQLite 会失败，"
            "MySQL/MariaDB 会悄悄填入 '' 或 0）：请给它 server_default，"
            "或者先以可空列加入、回填数据，再改为 NOT NULL"
        ),
        "add_identity": (
            "向已有数据的表新增标识列（identity）：只有 PostgreSQL 会为已有行编号"
            "（SQLite 会失败；MySQL/MariaDB 会丢掉 Identity() 并填入 0）：请先以可空列加入、回填数据，再改为 NOT NULL"
        ),
        "unique_default": (
            "新增带服务端默认值 {default} 的列并加上唯一约束 {name}：每一行已有数据都会得到同一个值，"
            "表中有两行时升级就会失败；请先不带默认值加入该列（NULL 之间不冲突），填入互不相同的值，再加唯一约束"
        ),
        "production_banner": "环境：prod；数据库：{target}；命令：{command}",
        "production_downgrade": (
            "拒绝对生产数据库执行 downgrade：回滚通常会删除数据。"
            "如确属有意，请这样重新运行：alembic -x allow_downgrade=true downgrade ..."
        ),
        "revision_failed": "迁移 {revision}（{file}）失败：{reason}；数据库当前版本：{current}",
        "mysql_leftovers": (
            "；MySQL/MariaDB 无法回滚 DDL：{revision} 停止前已执行的改动仍然保留，请先手工撤销再重新 upgrade"
        ),
        "interrupted": (
            "已中断（Ctrl-C），正在执行迁移 {revision}（{file}）；数据库当前版本：{current}；迁移锁已释放"
        ),
        "interrupted_between": "已中断（Ctrl-C），发生在两个迁移之间；数据库当前版本：{current}；迁移锁已释放",
        "at_base": "base（尚未应用任何迁移）",
        "current_unknown": "未知（无法读取 alembic_version：{reason}）",
        "url_in_ini": (
            "alembic.ini 中设置了 sqlalchemy.url，但本项目不使用它：数据库 URL 应放在 DATABASE_URL 中"
            "（export 或写入 .env）。请删除 alembic.ini 中的 sqlalchemy.url 这一行"
        ),
        "environment_conflict": (
            "警告：APP_ENV={app_env} 而 ALEMBIC_ENV={alembic_env}：迁移按 {environment} 环境运行"
            "（以 ALEMBIC_ENV 为准）。请取消 ALEMBIC_ENV，或让两者一致"
        ),
        "conflict_downgrade": (
            "拒绝 downgrade：APP_ENV={app_env} 与 ALEMBIC_ENV={alembic_env} 不一致，且其中之一是 prod。"
            "如确属有意，请这样重新运行：alembic -x allow_downgrade=true downgrade ..."
        ),
        "interrupted_outside": (
            "已中断（Ctrl-C），当时没有在执行任何迁移（正在连接或等待迁移锁）；运行 `alembic current` 查看数据库当前版本"
        ),
        "lock_retry": (
            "锁重试第 {attempt} 次：为语句 {statement} 等锁已达 {timeout}（MIGRATION_LOCK_TIMEOUT）；"
            "阻塞者：{blockers}；已回滚，{pause} 秒后重试"
        ),
        "lock_retry_unknown": "另一个会话",
        "lock_retry_budget": "锁重试：已尝试 {tries} 次，{budget} 的预算（MIGRATION_LOCK_RETRY_BUDGET）已用完，放弃",
        "lock_retry_autocommit": (
            "锁重试：不重试，该迁移在 autocommit_block() 中执行的语句已经提交；请先核对它做了什么，再重新运行"
        ),
        "lock_retry_mysql": (
            "锁重试：不重试，在 MySQL/MariaDB 上该迁移的前 {done} 条语句已经提交（DDL 会立即提交）；"
            "请先核对它做了什么，再重新运行"
        ),
        "copies_table": "{operation} 在 MySQL/MariaDB 上会复制整张表（ALGORITHM=COPY），期间阻塞写入",
        "bad_flag": "无法理解 -x {flag}={value}：请用 true 或 false（也可以是 1/0、yes/no、on/off）。",
        "bad_rename": (
            "无法理解 -x rename={spec}：列改名写成 table.old_column:new_column，"
            "表改名写成 old_table:new_table，多个用逗号分隔。"
        ),
        "rename_unmatched": (
            "-x rename={old}:{new} 没有匹配项：本次迁移并没有删除 {old} 并新增 {new}；请检查名称。"
        ),
        "maybe_rename_table": (
            '（是改名吗？请写 op.rename_table("{old}", "{new}")，或加上 -x rename={old}:{new} 重新运行）'
        ),
        "maybe_rename_column": (
            '（是改名吗？请写 op.alter_column("{table}", "{old}", new_column_name="{new}")，'
            "或加上 -x rename={table}.{old}:{new} 重新运行）"
        ),
        "empty_index": "表 {table} 上的索引 {name} 没有任何列：请在模型的 Index(...) 中至少写一列，或者删除它。",
        "review_drop_not_null": "去掉 NOT NULL：读取这一列的代码从此必须处理 NULL",
        "review_rewrite": "类型 {old} -> {new} 在 PostgreSQL 上会在排他锁下重写整张表",
        "review_copy": "类型 {old} -> {new} 在 MySQL/MariaDB 上会复制整张表，期间阻塞写入",
        "review_filled": "带服务端默认值的 NOT NULL：迁移会先把为 NULL 的行设为默认值",
        "review_volatile_default": "服务端默认值 {default} 按行求值：PostgreSQL 为新增这一列会重写整张表",
        "review_identity": "标识列（identity）：PostgreSQL 会为每一行已有数据编号，在排他锁下重写整张表",
        "review_generated_rewrite": "生成列：PostgreSQL 会为每一行已有数据计算它，在排他锁下重写整张表",
        "review_generated_copy": (
            "存储型生成列：MySQL/MariaDB 会复制整张表来计算它，期间阻塞写入（虚拟生成列 persisted=False 可原地添加）"
        ),
        "review_unique_constraint": "在已有数据的表上新增唯一约束 {name}：已有行存在重复值时升级会失败",
        "review_index": "索引 {name} 没有使用 CONCURRENTLY 创建：建索引期间 PostgreSQL 会阻塞对该表的写入",
        "review_foreign_key_named": (
            "在已有数据的表上新增外键 {name}：会在锁住两张表的情况下检查每一行"
            "（PostgreSQL 上请先以 NOT VALID 添加，再单独 VALIDATE）"
        ),
    },
}


def text(key: str, **values: object) -> str:
    """The message `key` in the project's language, with `values` filled in."""
    return MESSAGES[LANGUAGE][key].format(**values)


def set_language(language: str) -> None:
    """Speak `language` from now on (alembic.ini: `language = zh`)."""
    global LANGUAGE
    if language not in MESSAGES:
        known = ", ".join(sorted(MESSAGES))
        raise ValueError(f"language = {language!r} in alembic.ini is not one of: {known}")
    LANGUAGE = language
