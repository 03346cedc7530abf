"""Named mutations of the template: each breaks one documented behaviour on purpose.

A mutation is an exact snippet of a template file, what replaces it, the
promise it breaks, and the tests that should notice (pytest arguments run from
the template's root). `nox -s mutation` applies them one at a time to a fresh
copy and reports which survive. When code moves and a snippet is no longer
found, the mutation is reported stale: rewrite it against the new code.
"""

from __future__ import annotations

from dataclasses import dataclass

PROJECT = "{{cookiecutter.project_slug}}"
PACKAGE = f"{PROJECT}/{{{{cookiecutter.package_name}}}}"
GUARDS = f"{PACKAGE}/migrations/guards.py"
RUNTIME = f"{PACKAGE}/migrations/runtime.py"
FAILURES = f"{PACKAGE}/migrations/failures.py"
LOCKS = f"{PACKAGE}/migrations/locks.py"
SETTINGS = f"{PACKAGE}/settings.py"
ENV_PY = f"{PROJECT}/alembic/env.py"
NOXFILE = f"{PROJECT}/noxfile.py"
# The answer checks cookiecutter runs while it renders the answers (and copier reuses).
ANSWER_CHECKS = "local_extensions.py"

# The baked project's own unit tests (guards, settings, overrides), on SQLite.
BAKED_UNIT_TESTS = ("tests/test_bake.py", "-k", "own_tests and sqlite")


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    original: str
    replacement: str
    breaks: str
    tests: tuple[str, ...]


MUTATIONS = [
    # The breakages issue 12 found unnoticed.
    Mutation(
        "allow_destructive_any_value",
        GUARDS,
        'allow_destructive=_flag(x_args, "allow_destructive"),',
        'allow_destructive=bool(x_args.get("allow_destructive")),',
        "-x allow_destructive=false (or 0, no, off) does not allow",
        ("tests/test_overrides_cli.py", "-k", "destructive"),
    ),
    Mutation(
        "allow_downgrade_any_value",
        RUNTIME,
        'x_arguments.get("allow_downgrade", "").lower() in TRUE_WORDS',
        'x_arguments.get("allow_downgrade")',
        "-x allow_downgrade=0 does not allow a production downgrade",
        ("tests/test_overrides_cli.py", "-k", "downgrade"),
    ),
    Mutation(
        "lock_kept_after_a_failed_revision",
        LOCKS,
        "        try:\n            release()\n        except Exception:",
        "        try:\n            pass\n        except Exception:",
        "a failed migration on a handed-over Engine frees the migration lock",
        ("tests/test_lock_release.py", "-k", "error"),
    ),
    Mutation(
        "innodb_lock_wait_timeout_unset",
        RUNTIME,
        '            connection.execute(text("SET SESSION innodb_lock_wait_timeout = :seconds"), whole)\n',
        "",
        "a MySQL/MariaDB row lock waits at most MIGRATION_LOCK_TIMEOUT",
        ("tests/test_lock_timeout.py", "-k", "mysql-row"),
    ),
    Mutation(
        "roundtrip_only_upgrades",
        NOXFILE,
        '    alembic(session, "upgrade", "head", env=env)\n'
        '    alembic(session, "downgrade", "base", env=env)\n    # What a downgrade',
        '    alembic(session, "upgrade", "head", env=env)\n    return\n    # What a downgrade',
        "nox -s roundtrip downgrades every revision and upgrades it again",
        ("tests/test_roundtrip_session.py", "-k", "every_revision and sqlite"),
    ),
    Mutation(
        "not_null_column_allowed",
        GUARDS,
        '            found.append(Finding(op.table_name, op.column.name, text("add_not_null")))\n',
        "            pass\n",
        "autogenerate refuses a NOT NULL column without a server default added to an existing table",
        ("tests/test_guard_corpus.py", "-k", "add_not_null_column_without_default and sqlite"),
    ),
    Mutation(
        "postgres_scheme_to_plain_postgresql",
        SETTINGS,
        '"postgres": "postgresql+psycopg",',
        '"postgres": "postgresql",',
        "postgres:// URLs use psycopg 3, which the project installs (plain postgresql is psycopg2 on SQLAlchemy 2.0)",
        BAKED_UNIT_TESTS,
    ),
    Mutation(
        "ignored_prefixes_not_validated",
        ANSWER_CHECKS,
        'for key in ("protected_tables", "ignored_table_prefixes", "ignored_table_suffixes"):',
        'for key in ("protected_tables",):',
        "a bake with bad ignored_table_prefixes / suffixes is refused",
        ("tests/test_hooks.py", "-k", "bad_answers and ignored"),
    ),
    Mutation(
        "ignored_tables_reflected",
        GUARDS,
        '        if type_ == "table":\n            return not self.ignores(name)\n',
        '        if type_ == "table":\n            return True\n',
        "ignored tables are filtered by name before reflection",
        ("tests/test_ignored_tables_reflection.py",),
    ),
    Mutation(
        "sqlite_ddl_autocommits",
        RUNTIME,
        '    event.listen(engine, "begin", _explicit_begin)\n',
        "",
        "a failed revision leaves SQLite at the last good revision, nothing of it left",
        ("tests/test_roundtrip_session.py", "-k", "failed"),
    ),
    # Guard verdicts.
    Mutation(
        "dropped_column_allowed",
        GUARDS,
        "        elif isinstance(op, ops.DropColumnOp):",
        "        elif False:",
        "autogenerate refuses a dropped column without -x allow_destructive",
        ("tests/test_guards_cli.py", "-k", "sqlite and protected"),
    ),
    Mutation(
        "dropped_table_allowed",
        GUARDS,
        "        if isinstance(op, ops.DropTableOp):",
        "        if False:",
        "autogenerate refuses a dropped table",
        BAKED_UNIT_TESTS,
    ),
    Mutation(
        "narrowing_allowed",
        GUARDS,
        "if op.modify_type is not None and narrows(",
        "if False and narrows(",
        "autogenerate refuses a narrowed column type",
        BAKED_UNIT_TESTS,
    ),
    Mutation(
        "empty_revision_written",
        GUARDS,
        "if all(upgrade_ops.is_empty() for upgrade_ops in upgrade_ops_list):",
        "if False:",
        "an empty autogenerate writes no file",
        ("tests/test_guards_cli.py", "-k", "sqlite and empty"),
    ),
    Mutation(
        "protected_tables_unprotected",
        GUARDS,
        "protected = set(protected_tables) - overrides.allow_protected",
        "protected = set()",
        "a protected table needs -x allow_protected",
        ("tests/test_guards_cli.py", "-k", "sqlite and protected"),
    ),
    Mutation(
        "guards_run_in_alembic_check",
        ENV_PY,
        '    if not getattr(config.cmd_opts, "autogenerate", False):\n        return\n',
        "",
        "alembic check is not refused by the generation-time guards",
        ("tests/test_guards_cli.py", "-k", "sqlite and check"),
    ),
    # Locks and timeouts.
    Mutation(
        "no_migration_lock",
        RUNTIME,
        "    with migration_lock(connection) if lock else nullcontext():",
        "    with nullcontext():",
        "concurrent upgrades are serialized by the migration lock",
        ("tests/test_concurrency.py", "-k", "eight and sqlite"),
    ),
    Mutation(
        "read_only_commands_wait",
        RUNTIME,
        'READ_ONLY_COMMANDS = {"current", "check"}',
        "READ_ONLY_COMMANDS = set()",
        "alembic current and check answer while a migration holds the lock",
        ("tests/test_concurrency.py", "-k", "read_only and sqlite"),
    ),
    Mutation(
        "no_default_lock_timeout",
        FAILURES,
        'DEFAULT_LOCK_TIMEOUT = "500ms"',
        'DEFAULT_LOCK_TIMEOUT = "0"',
        "MIGRATION_LOCK_TIMEOUT defaults to 500ms",
        ("tests/test_lock_timeout.py", "-k", "environment"),
    ),
    Mutation(
        "statement_timeout_ignored",
        RUNTIME,
        'settings = {"lock_timeout": lock_timeout, "statement_timeout": statement_timeout}',
        'settings = {"lock_timeout": lock_timeout}',
        "MIGRATION_STATEMENT_TIMEOUT caps each statement on PostgreSQL",
        ("tests/test_lock_timeout.py", "-k", "environment"),
    ),
    Mutation(
        "mysql_lock_timeout_unexplained",
        FAILURES,
        'if sqlstate == "55P03" or mysql_code == 1205:',
        'if sqlstate == "55P03":',
        "a MySQL/MariaDB lock timeout is one line naming the statement",
        ("tests/test_lock_timeout.py", "-k", "mysql-table"),
    ),
    Mutation(
        "timeouts_left_on_the_pooled_session",
        RUNTIME,
        "            _reset_timeouts(connection)\n",
        "            pass\n",
        "an application's pooled session does not keep the migration's timeouts",
        ("tests/test_lock_release.py", "-k", "postgresql and error"),
    ),
    # Production.
    Mutation(
        "no_production_banner",
        RUNTIME,
        '        print(messages.text("production_banner", target=target, command=command), file=sys.stderr)\n',
        "",
        "a production run says which database and command",
        ("tests/test_environments.py", "-k", "production_downgrade"),
    ),
    Mutation(
        "production_downgrade_allowed",
        RUNTIME,
        '    if environment == "prod":\n        raise CommandError(messages.text("production_downgrade"))\n',
        "",
        "a production downgrade needs -x allow_downgrade=true",
        ("tests/test_environments.py", "-k", "production_downgrade"),
    ),
    Mutation(
        "alembic_env_ignored",
        SETTINGS,
        'if for_migrations and env.get("ALEMBIC_ENV"):',
        "if False:",
        "ALEMBIC_ENV overrides APP_ENV for migrations",
        ("tests/test_environments.py", "-k", "demo_data"),
    ),
    Mutation(
        "all_revisions_in_one_transaction",
        ENV_PY,
        "    transaction_per_migration=True,\n",
        "    transaction_per_migration=False,\n",
        "a failed revision keeps the revisions before it",
        ("tests/test_failed_revision.py", "-k", "sqlite"),
    ),
    # Hooks and URLs.
    Mutation(
        "slug_unchecked",
        ANSWER_CHECKS,
        "    if not SLUG.match(slug):",
        "    if False:",
        "a bake with a bad project_slug is refused",
        ("tests/test_hooks.py", "-k", "bad_answers and project_slug"),
    ),
    Mutation(
        "shadowing_package_allowed",
        ANSWER_CHECKS,
        "    if name in INSTALLED or name in sys.stdlib_module_names:",
        "    if False:",
        "a bake with a package name that shadows a library is refused",
        ("tests/test_hooks.py", "-k", "bad_answers and shadow"),
    ),
    Mutation(
        "mysql_scheme_to_mysqldb",
        SETTINGS,
        '        "mysql": "mysql+pymysql",\n        "mariadb"',
        '        "mysql": "mysql",\n        "mariadb"',
        "mysql:// URLs use PyMySQL, which the project installs",
        ("tests/test_bare_urls.py", "-k", "mysql"),
    ),
    Mutation(
        "password_in_connection_errors",
        RUNTIME,
        '        message = message.replace(str(url.password), "***")\n',
        "        pass\n",
        "a connection error never shows the password",
        BAKED_UNIT_TESTS,
    ),
]
