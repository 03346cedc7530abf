"""A deliberate exception to a squawk rule, written from a revision.

`nox -s squawk` lints each revision's offline SQL with squawk. When a flagged
statement is intended, say so right before it in the revision:

    from alembic_guardrails.helpers import squawk_ignore

    squawk_ignore("ban-drop-column")  # unused since v2.3, see the ticket
    op.drop_column("users", "legacy")

In `--sql` output this writes squawk's own `-- squawk-ignore <rule>` comment on
the line before the next statement; against a database it does nothing.
"""

from alembic import op


def squawk_ignore(*rules: str) -> None:
    context = op.get_context()
    if context.as_sql:
        # Straight into the output: squawk reads the comment only on the line
        # right above the statement (Alembic's own output adds a blank line).
        output = context.impl.output_buffer
        assert output is not None  # set whenever the context writes SQL (as_sql)
        output.write(f"-- squawk-ignore {', '.join(rules)}\n")
