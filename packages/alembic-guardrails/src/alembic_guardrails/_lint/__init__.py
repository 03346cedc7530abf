"""`alembic-guardrails lint`: hand-written revisions checked by the rules autogenerate obeys.

- record.py runs a revision's upgrade() without a database and records the
  operation objects each `op.*` call hands to `Operations.invoke`, with the
  line of the revision file that made the call;
- run.py finds the revisions, runs them through record.py, nests the operations
  as autogenerate does and asks every rule of rules/ about them;
- squawk.py hands raw `op.execute()` SQL to squawk (PostgreSQL, when installed);
- ignore.py reads `# guardrails: ignore[rule] reason` comments;
- report.py prints the findings (text, json, github);
- offline.py is the `alembic upgrade --sql` side: a revision that reads or writes
  data through `op.get_bind()` makes the command fail, as its SQL is incomplete.
"""
