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
LIBRARY = "packages/alembic-guardrails/src/alembic_guardrails"
RULES = f"{LIBRARY}/rules"
GUARDRAILS = f"{LIBRARY}/_guardrails.py"
GUARDS = f"{LIBRARY}/_guards.py"
RUNTIME = f"{LIBRARY}/_runtime.py"
FAILURES = f"{LIBRARY}/_failures.py"
LOCKS = f"{LIBRARY}/_locks.py"
SETTINGS = f"{PACKAGE}/settings.py"
ENV_PY = f"{PROJECT}/alembic/env.py"
NOXFILE = f"{PROJECT}/noxfile.py"
NARROWING = f"{LIBRARY}/_narrowing.py"
COMPARE = f"{LIBRARY}/_compare.py"
ENUMS = f"{LIBRARY}/_enums.py"
ONLINE_DDL = f"{LIBRARY}/_online_ddl.py"
RETRIES = f"{LIBRARY}/_retries.py"
REWRITES = f"{LIBRARY}/_rewrites.py"
BACKFILL = f"{LIBRARY}/backfill.py"
REVISIONS_FROZEN = f"{PROJECT}/tools/revisions_frozen.py"
# What lets copier render the template as cookiecutter does.
COPIER_COMPAT = "copier_support/cookiecutter_compat.py"
# The answer checks cookiecutter runs while it renders the answers (and copier reuses).
ANSWER_CHECKS = "local_extensions.py"

# The baked project's own unit tests (guards, settings, overrides), on SQLite.
BAKED_UNIT_TESTS = ("tests/test_bake.py", "-k", "own_tests and sqlite")
# alembic-guardrails' own unit tests (guards, rules, runtime), on SQLite.
LIBRARY_UNIT_TESTS = ("packages/alembic-guardrails/tests",)


def corpus_case(case: str, backend: str = "sqlite") -> tuple[str, ...]:
    """One case of the guard corpus (tests/corpus.py) on one database: the real CLI on seeded rows."""
    return ("tests/test_guard_corpus.py", "-k", f"{case} and {backend}")


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
        '        alembic(session, "upgrade", "head", env=env)\n'
        '        alembic(session, "downgrade", "base", env=env)\n        # What a downgrade',
        '        alembic(session, "upgrade", "head", env=env)\n        return\n        # What a downgrade',
        "nox -s roundtrip downgrades every revision and upgrades it again",
        ("tests/test_roundtrip_session.py", "-k", "every_revision and sqlite"),
    ),
    Mutation(
        "not_null_column_allowed",
        f"{RULES}/add_not_null_without_default.py",
        "if not column.nullable and column.server_default is None and not column.primary_key:",
        "if False:",
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
        f"{RULES}/drop_column.py",
        "    if isinstance(op, ops.DropColumnOp):",
        "    if False:",
        "autogenerate refuses a dropped column without -x allow_destructive",
        ("tests/test_guards_cli.py", "-k", "sqlite and protected"),
    ),
    Mutation(
        "dropped_table_allowed",
        f"{RULES}/drop_table.py",
        "    if isinstance(op, ops.DropTableOp):",
        "    if False:",
        "autogenerate refuses a dropped table",
        LIBRARY_UNIT_TESTS,
    ),
    Mutation(
        "narrowing_allowed",
        f"{RULES}/narrow_type.py",
        "and narrows(op.existing_type, op.modify_type, context.dialect)",
        "and False",
        "autogenerate refuses a narrowed column type",
        LIBRARY_UNIT_TESTS,
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
        "on_protected = [f for f in findings if f.table in set(protected) - overrides.allow_protected]",
        "on_protected = []",
        "a protected table needs -x allow_protected",
        ("tests/test_guards_cli.py", "-k", "sqlite and protected"),
    ),
    Mutation(
        "guards_run_in_alembic_check",
        GUARDRAILS,
        "                print(drift, file=sys.stderr, flush=True)\n            return\n",
        "                print(drift, file=sys.stderr, flush=True)\n",
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
        GUARDRAILS,
        "            transaction_per_migration=True,\n",
        "            transaction_per_migration=False,\n",
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
        LIBRARY_UNIT_TESTS,
    ),
    # The safety modules: what narrows, what compares equal, enum changes, online DDL,
    # lock retries, the rewrites, the backfill; frozen revisions and copier's rendering.
    Mutation(
        "numeric_scale_cut_allowed",
        NARROWING,
        "return cast(bool, new_scale >= old_scale and new.precision - new_scale >= old.precision - old_scale)",
        "return cast(bool, new.precision - new_scale >= old.precision - old_scale)",
        "Numeric(10, 4) -> Numeric(10, 2) narrows (the stored decimals are cut)",
        corpus_case("numeric_smaller_scale"),
    ),
    Mutation(
        "integer_text_without_minus_sign",
        NARROWING,
        "return integer_digits(integer_bits(type_)) + 1  # and a minus sign",
        "return integer_digits(integer_bits(type_))",
        "BigInteger -> String(19) narrows: -9223372036854775808 needs 20 characters",
        corpus_case("bigint_to_string_19"),
    ),
    Mutation(
        "mysql_index_dropped_under_its_foreign_key",
        COMPARE,
        "                _foreign_keys_around_index_drops(container, metadata)\n",
        "                pass\n",
        "on MySQL/MariaDB an index a kept foreign key uses is dropped with the key dropped and re-added around it",
        ("tests/test_real_models.py", "-k", "mysql"),
    ),
    Mutation(
        "unique_on_primary_key_compared",
        COMPARE,
        'if type_ == "unique_constraint" and _duplicates_primary_key(object_):',
        'if type_ == "unique" and _duplicates_primary_key(object_):',
        "a UNIQUE identical to the primary key is left out of the comparison (PostgreSQL: alembic check clean)",
        ("tests/test_real_models.py", "-k", "postgresql"),
    ),
    Mutation(
        "enum_value_renamed_as_added",
        ENUMS,
        "    if set(in_database) <= set(wanted):\n        return AddEnumValuesOp(",
        "    if set(wanted) - set(in_database):\n        return AddEnumValuesOp(",
        "a PostgreSQL enum that loses a value while gaining another is refused, not written as ADD VALUE",
        corpus_case("enum_value_replaced", "postgresql"),
    ),
    Mutation(
        "enum_check_not_read",
        ENUMS,
        "checked = _check_values(inspector, table.name, column.name) if column.type.create_constraint else None",
        "checked = None",
        "a non-native Enum's CHECK is compared with the models' values (an added value rewrites it)",
        ("tests/test_enums.py", "-k", "sqlite_check_constraint"),
    ),
    Mutation(
        "foreign_key_never_validated",
        ONLINE_DDL,
        'before=[_sql(f"{add} NOT VALID")], autocommit=[_sql(validate)])',
        'before=[_sql(f"{add} NOT VALID")])',
        "a foreign key added NOT VALID on PostgreSQL is then validated (the existing rows checked)",
        ("tests/test_online_ddl.py", "-k", "existing_tables"),
    ),
    Mutation(
        "not_null_check_left_behind",
        ONLINE_DDL,
        "after=[operation, _sql(drop)]",
        "after=[operation]",
        "the CHECK (col IS NOT NULL) that lets PostgreSQL set NOT NULL without a scan is dropped after",
        ("tests/test_online_ddl.py", "-k", "existing_tables"),
    ),
    Mutation(
        "autocommit_revision_retried",
        RETRIES,
        '        if self.autocommit:\n            return messages.text("lock_retry_autocommit")\n',
        "",
        "a revision that committed statements in autocommit_block() is not retried after a lock timeout",
        ("tests/test_lock_retries.py", "-k", "autocommit_block"),
    ),
    Mutation(
        "mysql_blocked_ddl_not_retried_in_place",
        RETRIES,
        "if context.root_connection is not connection or not DDL.match(statement):",
        "if True:",
        "on MySQL/MariaDB a DDL statement blocked after committed ones is retried alone, in place",
        ("tests/test_lock_retries.py", "-k", "retried_alone"),
    ),
    Mutation(
        "existing_server_default_not_filled",
        REWRITES,
        "    for default in (op.modify_server_default, op.existing_server_default):",
        "    for default in (op.modify_server_default,):",
        "NOT NULL on a column with a server default first sets the NULL rows to that default",
        corpus_case("not_null_on_column_with_server_default"),
    ),
    Mutation(
        "backfill_in_the_revision_transaction",
        BACKFILL,
        "    with context.autocommit_block():\n        bind = op.get_bind()",
        "    if True:\n        bind = op.get_bind()",
        "each backfill batch commits on its own: an interrupted backfill keeps its batches",
        ("tests/test_backfill.py", "-k", "interrupted and postgresql"),
    ),
    Mutation(
        "renamed_revision_allowed",
        REVISIONS_FROZEN,
        'ALLOWED = {"A"}',
        'ALLOWED = {"A", "R"}',
        "nox -s revisions_frozen refuses a revision file on the default branch that was renamed",
        ("tests/test_ci_files.py", "-k", "revisions_frozen"),
    ),
    Mutation(
        "verbatim_files_rendered_by_copier",
        COPIER_COMPAT,
        "if any(fnmatch.fnmatch(inside_project, pattern) for pattern in VERBATIM):",
        'if any(fnmatch.fnmatch(name or "", pattern) for pattern in VERBATIM):',
        "copier copies the CI files (GitHub's ${{ }} expressions) unrendered, as cookiecutter does",
        ("tests/test_copier.py", "-k", "same_project and defaults"),
    ),
    # The authorities' rules for columns added to tables that have rows.
    Mutation(
        "identity_column_allowed_everywhere",
        f"{RULES}/add_identity_column.py",
        'if op.column.identity is not None and context.dialect != "postgresql":',
        "if False:",
        "an Identity() column added to a table with rows is refused where the database does not number them",
        corpus_case("identity_column_on_existing_table", "mysql"),
    ),
    Mutation(
        "unique_over_one_default_allowed",
        f"{RULES}/unique_over_constant_default.py",
        "if len(new_columns) == len(columns) and all(map(same_default_for_every_row, new_columns)):",
        "if False:",
        "a unique constraint over a column added with one constant default is refused (two rows collide)",
        corpus_case("unique_column_with_a_default_on_existing_table", "postgresql"),
    ),
]
