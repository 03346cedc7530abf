"""What the migration guards say, in the team's language.

The language is alembic.ini's `language` option (en or zh), set once by
`Guardrails.from_config`; English where it is unset. The words of each
refusal and review line live with their rule (rules/); these are the rest:
headers, fixes, run-time reports, command-line errors.
"""

from collections.abc import Mapping

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
        "review": "Review",
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
        "lock_retry_statement": (
            "Lock retry {attempt}: waited {timeout} (MIGRATION_LOCK_TIMEOUT) for a lock on: {statement}; "
            "blocked by {blockers}; the statements before it stay done (MySQL/MariaDB commit DDL as they go), "
            "trying this one again in {pause} s"
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
        "bad_flag": "-x {flag}={value} is not understood: use true or false (also 1/0, yes/no, on/off).",
        "at_pre_phase_heads": (
            "{heads} (the pre phase's heads; post-deploy, after the new code is live: {pending})"
        ),
        "bad_phase": (
            "-x phase={value} is not understood: use pre (every revision but the post-deploy ones, before the "
            "new code goes live) or post (the rest, once it is live)."
        ),
        "post_deploy_held": (
            "phase=pre: held back {count} post-deploy revision(s) and what builds on them ({revisions}); once "
            "the new code is live everywhere, run: alembic -x phase=post upgrade head"
        ),
        "post_deploy_template": (
            "-x post_deploy=true writes `post_deploy = True` through script.py.mako, and {template} has no "
            "`post_deploy`: add these two lines after `depends_on = ...` there, then run the command again:  "
            "% if post_deploy:  /  post_deploy = True  (and `% endif` on the next line)"
        ),
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
        "lock_timeout": (
            "lock timeout: waited more than {timeout} (MIGRATION_LOCK_TIMEOUT) for a lock while running: "
            "{statement}; another session holds a lock on what it touches. The failed revision is not "
            "recorded: alembic_version still names the last good one. Re-run once the blocking session is "
            "gone (PostgreSQL: pg_blocking_pids; MySQL: SHOW PROCESSLIST), or raise MIGRATION_LOCK_TIMEOUT"
        ),
        "statement_timeout": (
            "statement timeout: a statement ran longer than {timeout} (MIGRATION_STATEMENT_TIMEOUT) and was "
            "cancelled: {statement}. The failed revision is not recorded: alembic_version still names the "
            "last good one. Raise MIGRATION_STATEMENT_TIMEOUT, or split the work (see migrations.backfill)"
        ),
        "bad_duration": "{variable}={value!r} is not a duration; use e.g. 10s, 500ms or 1min (0 turns it off)",
        "lock_waiting": "Waiting for the migration lock: another migration run holds it ({holder})",
        "lock_got": "Got the migration lock after {seconds:.1f} s",
        # The command line's errors and their next step (_command_line.py, _runtime.py, _failures.py).
        "half_a_range": (
            "`alembic {command} {revision} --sql` gives half a range: write both ends, "
            "`alembic {command} <start>:<end> --sql` (here e.g. `alembic {command} {example} --sql`)"
        ),
        "multiple_heads": (
            "there are {count} heads, {heads}, so `alembic {command} {argument}` cannot pick one: "
            '`alembic merge heads -m "merge heads"` joins them (then upgrade again), or run '
            "`alembic upgrade heads` if the branches are deliberate (labelled)"
        ),
        "and_list": "{first} and {last}",
        "unknown_revision": "Can't locate revision identified by '{revision}'",
        "not_up_to_date": (
            "Target database is not up to date: run `alembic upgrade head` first, then autogenerate or check"
        ),
        "sqlite_batch": (
            "; SQLite cannot ALTER a table this way: write the change in batch mode, "
            '`with op.batch_alter_table("{table}") as batch_op:` and `batch_op.{operation}(...)` '
            "in it (Alembic then copies the table)"
        ),
        "config_missing": "{ini} does not exist, so Alembic has no configuration",
        "config_above": "; this project's alembic.ini is {ini}: run `cd {directory}` first, or `{command}`",
        "config_nowhere": (
            "; no directory above has one either: run alembic in the project's root (where alembic.ini is), "
            "or name the file: `{command}`"
        ),
        "connect_unreachable": (
            "cannot connect to the database in DATABASE_URL ({url}): no server answers at {address} "
            "({detail}); start the server, or correct the host and port in DATABASE_URL"
        ),
        "connect_login": (
            "cannot connect to the database in DATABASE_URL ({url}): the server refused the login of user "
            "{user} ({detail}); correct the user and password in DATABASE_URL (URL-encode special characters)"
        ),
        "connect_no_database": (
            "cannot connect to the database in DATABASE_URL ({url}): the server has no database {database} "
            "({detail}); create it (`CREATE DATABASE {database}`), or correct its name in DATABASE_URL"
        ),
        "connect_failed": (
            "cannot connect to the database in DATABASE_URL ({url}): {detail}; "
            "check that the server is running and that DATABASE_URL is right"
        ),
        # `alembic check`: one line per difference between the models and the database (_drift.py).
        "drift_header": "The models and the database differ ({count}):",
        "drift_line": "{subject}: {what} — models: {models}, database: {database}",
        "drift_none": "none",
        "drift_table": "table",
        "drift_column": "column",
        "drift_type": "type",
        "drift_nullable": "nullable",
        "drift_server_default": "server default",
        "drift_comment": "comment",
        "drift_index": "index {name}",
        "drift_unique": "unique constraint {name}",
        "drift_foreign_key": "foreign key {name}",
        "drift_check": "check constraint {name}",
        "drift_primary_key": "primary key {name}",
        "drift_enum": "enum values",
        "drift_other": "{subject}: {kind}",
        # Refusals that name the whole command, and those no override writes (_guards.py); what
        # a downgrade cannot give back, as a comment in the revision and a warning when it runs
        # (_downgrades.py).
        "destructive_fix_command": (
            "Review the model change; if this is intended, re-run as: "
            "alembic {options} revision --autogenerate -m ..."
        ),
        "protected_fix_command": (
            "Protected tables are listed in alembic.ini (protected_tables). If this is intended, re-run as: "
            "alembic {options} revision --autogenerate -m ..."
        ),
        "no_override": (
            "No -x option writes this revision: its upgrade would fail whatever the overrides say. "
            "The safe way instead:"
        ),
        "no_override_safe": "  [{rule}] {safe}",
        "column_back_nullable": (
            "{table}.{column} was dropped by the upgrade, and its values with it: it comes back empty and "
            "nullable (NOT NULL without a server default would fail on the rows the table holds)."
        ),
        "column_back_default": (
            "{table}.{column} was dropped by the upgrade, and its values with it: it comes back with its server "
            "default, {default}, in every row."
        ),
        "column_back_empty": (
            "{table}.{column} was dropped by the upgrade, and its values with it: it comes back empty (NULL in "
            "every row)."
        ),
        "table_back": "{table} was dropped by the upgrade, and its rows with it: it comes back empty.",
        "not_null_back": (
            "{table}.{column} becomes NOT NULL again, with no server default to fill it: rows given NULL since "
            "the upgrade make this fail; fill them first."
        ),
        "narrowed_back": (
            "{table}.{column} goes back from {old} to {new}: values written since the upgrade that do not fit "
            "make this fail (or are cut, on MySQL/MariaDB without strict mode)."
        ),
        "cast_back": (
            "{table}.{column} changes kind, {old} -> {new}, cast by PostgreSQL (USING): a value that does not "
            "read as {new} makes this fail."
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
        "review": "请复核",
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
        "lock_retry_statement": (
            "锁重试第 {attempt} 次：为语句 {statement} 等锁已达 {timeout}（MIGRATION_LOCK_TIMEOUT）；"
            "阻塞者：{blockers}；之前的语句已经完成（MySQL/MariaDB 的 DDL 会立即提交），{pause} 秒后只重试这一条"
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
        "bad_flag": "无法理解 -x {flag}={value}：请用 true 或 false（也可以是 1/0、yes/no、on/off）。",
        "at_pre_phase_heads": "{heads}（pre 阶段的 head；新代码上线后再执行的部署后迁移：{pending}）",
        "bad_phase": "无法理解 -x phase={value}：请用 pre（新代码上线前：除部署后迁移以外的所有迁移）或 post（新代码上线后：其余的迁移）。",
        "post_deploy_held": (
            "phase=pre：暂不执行 {count} 个部署后迁移及其后续迁移（{revisions}）；新代码全部上线后运行："
            "alembic -x phase=post upgrade head"
        ),
        "post_deploy_template": (
            "-x post_deploy=true 通过 script.py.mako 写入 `post_deploy = True`，但 {template} 中没有 `post_deploy`："
            "请在其中 `depends_on = ...` 之后加上这几行再重新运行命令：  "
            "% if post_deploy:  /  post_deploy = True  （下一行再加 `% endif`）"
        ),
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
        "lock_timeout": (
            "锁超时：执行以下语句时等待锁超过了 {timeout}（MIGRATION_LOCK_TIMEOUT）：{statement}；"
            "另一个会话持有它所涉及对象的锁。失败的迁移没有被记录：alembic_version 仍是上一个成功的版本。"
            "请等阻塞的会话结束后重新运行（PostgreSQL：pg_blocking_pids；MySQL：SHOW PROCESSLIST），"
            "或调大 MIGRATION_LOCK_TIMEOUT"
        ),
        "statement_timeout": (
            "语句超时：一条语句运行超过了 {timeout}（MIGRATION_STATEMENT_TIMEOUT），已被取消：{statement}。"
            "失败的迁移没有被记录：alembic_version 仍是上一个成功的版本。"
            "请调大 MIGRATION_STATEMENT_TIMEOUT，或把工作拆开（见 migrations.backfill）"
        ),
        "bad_duration": "{variable}={value!r} 不是时长；请写成例如 10s、500ms 或 1min（0 表示关闭）",
        "lock_waiting": "正在等待迁移锁：另一个迁移进程持有它（{holder}）",
        "lock_got": "等待 {seconds:.1f} 秒后拿到了迁移锁",
        # 命令行的错误及下一步做法（_command_line.py、_runtime.py、_failures.py）。
        "half_a_range": (
            "`alembic {command} {revision} --sql` 只给了范围的一端：请写出两端，"
            "`alembic {command} <起点>:<终点> --sql`（这里例如 `alembic {command} {example} --sql`）"
        ),
        "multiple_heads": (
            "当前有 {count} 个 head：{heads}，`alembic {command} {argument}` 无法确定是哪一个："
            '用 `alembic merge heads -m "merge heads"` 把它们合并（然后再次升级）；'
            "如果这些分支是有意保留的（带分支标签），请运行 `alembic upgrade heads`"
        ),
        "and_list": "{first} 和 {last}",
        "unknown_revision": "找不到修订 '{revision}'：用 `alembic history` 查看已有的修订",
        "not_up_to_date": "数据库不是最新版本：请先运行 `alembic upgrade head`，再生成迁移或检查",
        "sqlite_batch": (
            "；SQLite 不能这样 ALTER 表：请改用批处理模式，"
            '`with op.batch_alter_table("{table}") as batch_op:`，在其中调用 `batch_op.{operation}(...)`'
            "（Alembic 会复制整张表）"
        ),
        "config_missing": "{ini} 不存在，Alembic 没有可用的配置",
        "config_above": "；本项目的 alembic.ini 在 {ini}：请先运行 `cd {directory}`，或者运行 `{command}`",
        "config_nowhere": (
            "；上级目录中也没有：请在项目根目录（alembic.ini 所在的目录）中运行 alembic，或者指定该文件：`{command}`"
        ),
        "connect_unreachable": (
            "无法连接 DATABASE_URL 中的数据库（{url}）：{address} 上没有数据库服务器响应；"
            "请启动数据库服务器，或修正 DATABASE_URL 中的主机和端口"
        ),
        "connect_login": (
            "无法连接 DATABASE_URL 中的数据库（{url}）：服务器拒绝了用户 {user} 的登录；"
            "请修正 DATABASE_URL 中的用户名和密码（特殊字符需要 URL 编码）"
        ),
        "connect_no_database": (
            "无法连接 DATABASE_URL 中的数据库（{url}）：服务器上没有名为 {database} 的数据库；"
            "请先创建它（`CREATE DATABASE {database}`），或修正 DATABASE_URL 中的数据库名"
        ),
        "connect_failed": (
            "无法连接 DATABASE_URL 中的数据库（{url}）：{detail}；请确认数据库服务器正在运行，且 DATABASE_URL 正确"
        ),
        # `alembic check`：模型与数据库的每一处差异各占一行（_drift.py）。
        "drift_header": "模型与数据库不一致（{count} 处）：",
        "drift_line": "{subject}：{what} — 模型：{models}，数据库：{database}",
        "drift_none": "无",
        "drift_table": "表",
        "drift_column": "列",
        "drift_type": "类型",
        "drift_nullable": "可空",
        "drift_server_default": "服务端默认值",
        "drift_comment": "注释",
        "drift_index": "索引 {name}",
        "drift_unique": "唯一约束 {name}",
        "drift_foreign_key": "外键 {name}",
        "drift_check": "检查约束 {name}",
        "drift_primary_key": "主键 {name}",
        "drift_enum": "枚举取值",
        "drift_other": "{subject}：{kind}",
        # 给出完整命令的拒绝、任何参数都无法放行的拒绝（_guards.py）；downgrade 无法复原的内容，
        # 写成迁移文件中的注释，并在运行时输出警告（_downgrades.py）。
        "destructive_fix_command": (
            "请先检查模型改动；如确属有意，请这样重新运行：alembic {options} revision --autogenerate -m ..."
        ),
        "protected_fix_command": (
            "受保护的表列在 alembic.ini 的 protected_tables 中。如确属有意，请这样重新运行："
            "alembic {options} revision --autogenerate -m ..."
        ),
        "no_override": "任何 -x 参数都不会写出这个迁移：无论如何放行，它的升级都会失败。安全的做法：",
        "no_override_safe": "  [{rule}] {safe}",
        "column_back_nullable": (
            "{table}.{column} 已被升级删除，其中的数据也随之丢失：它以可空的空列恢复"
            "（没有服务端默认值的 NOT NULL 会在已有数据上失败）。"
        ),
        "column_back_default": (
            "{table}.{column} 已被升级删除，其中的数据也随之丢失：它带着服务端默认值 {default} 恢复，每一行都是该值。"
        ),
        "column_back_empty": "{table}.{column} 已被升级删除，其中的数据也随之丢失：它以空列恢复（每一行都是 NULL）。",
        "table_back": "{table} 已被升级删除，其中的数据也随之丢失：它以空表恢复。",
        "not_null_back": (
            "{table}.{column} 重新改为 NOT NULL，且没有服务端默认值可以填充：升级之后写入 NULL 的行会让这一步失败，"
            "请先填好它们。"
        ),
        "narrowed_back": (
            "{table}.{column} 从 {old} 改回 {new}：升级之后写入、放不进该类型的值会让这一步失败"
            "（在未开启严格模式的 MySQL/MariaDB 上会被截断）。"
        ),
        "cast_back": (
            "{table}.{column} 换了类型种类，{old} -> {new}，由 PostgreSQL 转换（USING）：无法读作 {new} 的值会让这一步失败。"
        ),
    },
}


def text(key: str, **values: object) -> str:
    """The message `key` in the project's language, with `values` filled in."""
    return MESSAGES[LANGUAGE][key].format(**values)


def in_language(texts: Mapping[str, str], **values: object) -> str:
    """`texts` ({"en": ..., "zh": ...}, a rule's words) in the project's language, `values` filled in."""
    return texts[LANGUAGE].format(**values)


def set_language(language: str) -> None:
    """Speak `language` from now on (alembic.ini: `language = zh`)."""
    global LANGUAGE
    if language not in MESSAGES:
        known = ", ".join(sorted(MESSAGES))
        raise ValueError(f"language = {language!r} in alembic.ini is not one of: {known}")
    LANGUAGE = language
