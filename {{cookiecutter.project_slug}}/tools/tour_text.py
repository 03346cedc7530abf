"""What the guided tour (tools/tour.py) says, in the project's language.

STEP_TEXT: each step's title and explanation, by the name of its function in tour.py.
MESSAGES: everything else the tour prints, formatted with str.format.
"""

STEP_TEXT = {
    "create_schema": (
        "Create the schema",
        """
        `upgrade head` runs every revision the database has not seen yet, oldest
        first. The tour's database is a fresh SQLite file, so this runs all the
        revisions the project has, starting with "create users table".
        (The first two lines appear on every command; the tour leaves them out
        from here on.)
        """,
    ),
    "where_are_we": (
        "Ask the database where it is",
        """
        `current` reads the revision id stored in the database's alembic_version
        table. "(head)" means no revision is waiting to run.
        """,
    ),
    "add_field": (
        "Change a model: add the column {field} to User",
        """
        The models are the single source of truth. Here is the edit, as a diff of
        models.py (made in the scratch copy, not in your project).
        """,
    ),
    "autogenerate_field": (
        "Let Alembic write the migration",
        """
        `revision --autogenerate` compares the models with the database and writes
        a revision file with the difference. The post-write hooks in alembic.ini
        then tidy it with ruff. The file name holds the date, the revision id and
        the message.
        """,
    ),
    "review_field": (
        "Review the file before you run it",
        """
        Autogenerate cannot know your intent: a rename looks like a drop plus an
        add, and data never moves by itself. Read upgrade() and downgrade(), fix
        them if needed, then commit the file with the model change. On SQLite the
        change is wrapped in batch_alter_table, since SQLite cannot ALTER most things.
        """,
    ),
    "apply_field": (
        "Apply it",
        """
        The same command as at the start: only the new revision runs.
        """,
    ),
    "undo_field": (
        "Undo the last revision",
        """
        `downgrade -1` runs the newest revision's downgrade(). Every revision must
        be reversible; `nox -s roundtrip` checks that for the whole chain.
        """,
    ),
    "redo_field": (
        "And forward again",
        """
        Upgrade, downgrade, upgrade: if all three work, the revision is safe to share.
        """,
    ),
    "offline_sql": (
        "Review the SQL without a database",
        """
        `--sql` prints the statements instead of running them, for a DBA or a
        change ticket. `alembic upgrade head --sql` prints the whole chain (`nox -s
        sql` writes it to build/migrations.sql); a range FROM:TO prints just the
        revisions after FROM up to TO, here the new one.
        """,
    ),
    "empty_refused": (
        "Guard: an autogenerate with nothing to do is refused",
        """
        The models and the database agree now. Plain Alembic would write an empty
        revision; this project refuses, so the history holds no empty files. (A
        hand-written `alembic revision -m ...` for a data migration is never refused.)
        """,
    ),
    "remove_field": (
        "Guard: a revision that loses data is refused",
        """
        Remove the {field} field from the model again, and autogenerate. Dropping a
        column loses its values, so the revision is refused: the message lists
        every offending operation and the exact command that would allow it.
        """,
    ),
    "destructive_alone_refused": (
        "Guard: on a protected table, allowing data loss is not enough",
        """
        `-x allow_destructive=true` lets a drop through on an ordinary table. A
        protected table must also be named, so nobody drops users data by accident.
        `-x` options go before the command.
        """,
    ),
    "override": (
        "The override: say exactly what you mean to lose",
        """
        With data loss allowed explicitly (and a protected table named), the
        revision is written. Review it like any other: this one drops a column and
        its values.
        """,
    ),
    "apply_drop": ("Apply the reviewed revision", ""),
    "history": (
        "The timeline",
        """
        `history` lists the revisions, newest first; each line is "parent -> revision".
        """,
    ),
}

MESSAGES = {
    "intro": "Guided tour of {project}: a scratch copy with a throwaway SQLite database.\n"
    "Your project and its database are not touched.",
    "catch_up": "Your models have changes that no revision holds yet (README section 4 before its\n"
    "`alembic revision --autogenerate`). The tour writes that revision in its copy first, so that\n"
    "its own change stands alone:",
    "field_taken": "Your User already has {taken}: the tour adds {field} instead.",
    "step": "=== Step {number} of {total}: {title}",
    "failed": "TOUR FAILED at step {number} ({title}): {reason}",
    "unexpected": "unexpected error",
    "timeout": "the command did not finish within {seconds} s",
    "not_refused": "the command should have been refused, but it succeeded",
    "command_failed": "the command failed (exit status {status})",
    "traceback": "the command crashed with a traceback instead of a clear message",
    "refused_but_wrote": "the command was refused but still wrote {files}",
    "nothing_written": "No file was written: alembic/versions/ still holds the same {count} files.",
    "one_new_file": "expected exactly one new revision file, found {files}",
    "none": "none",
    "columns_expected": "users should have columns {expected}, but has {found}",
    "columns_now": "Checked: the users table now has the columns {columns}.",
    "columns_start": "users should have the columns id and name, but has {found}",
    "columns_have": "Checked: the users table has the columns {columns}.",
    "no_revision_id": "{name} has no revision id",
    "not_at_head": "`alembic current` should report the database at (head)",
    "no_user_class": "models.py has no class User with a mapped column to add {field} after",
    "field_not_mentioned": "{name} does not mention the {field} column",
    "add_and_drop": "upgrade() should add the column and downgrade() drop it",
    "sql_adds_field": "the SQL should add the {field} column to users",
    "also_protected": "users is also a protected table here (protected_tables in alembic.ini), and the\n"
    "message says so.\n",
    "refusal_names": "the refusal should name {expected!r}",
    "upgrade_drops": "upgrade() should drop the {field} column",
    "history_order": "history should end with 'add {field} to user', then 'drop {field} from user' (head)",
    "more_lines": "... ({count} more lines)",
    "summary": """\
Summary
  edit models.py -> alembic revision --autogenerate -m "..." -> read the file -> alembic upgrade head
  alembic downgrade -1 undoes the last revision; alembic current / history show where you are.
  alembic upgrade head --sql shows the SQL without running it.
  Autogenerate refuses empty revisions and revisions that lose data; the message names the
  operations and the override: alembic -x allow_destructive=true revision --autogenerate -m ...
  Protected tables (alembic.ini) also need -x allow_protected=<table>.
  More in README.md; `nox` runs every check.
""",
    "complete": "Tour complete in {seconds:.1f}s; the scratch copy has been removed.",
    "press_enter": "\n[Enter for the next step] ",
    "interrupted": "\nTour interrupted; the scratch copy has been removed.",
}
