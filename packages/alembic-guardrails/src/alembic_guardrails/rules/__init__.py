"""The rules, one module each: its `RULE` (id, verdict, databases, authority, words in every
language, the safe way) and its `check`. docs/rules.md is generated from them
(`python -m alembic_guardrails._catalogue`).

The order is the order of a revision's findings for one operation, and of the catalogue.
"""

from __future__ import annotations

from . import (
    add_check_constraint,
    add_column_with_foreign_key,
    add_foreign_key,
    add_identity_column,
    add_not_null_without_default,
    concurrent_index_in_transaction,
    drop_column,
    drop_constraint,
    drop_index,
    drop_not_null,
    drop_table,
    foreign_key_copies_table,
    generated_column_rewrites_table,
    identity_rewrites_table,
    index_not_concurrent,
    index_without_columns,
    narrow_type,
    rename_column,
    rename_table,
    rows_break_constraint,
    set_not_null_fills_nulls,
    set_not_null_without_default,
    sqlite_alter_outside_batch,
    stored_generated_column_copies_table,
    type_change_copies_table,
    type_change_rewrites_table,
    unique_constraint_on_existing_rows,
    unique_over_constant_default,
    volatile_default_rewrites_table,
)
from ._rule import DIALECTS, Context, Finding, Rule, RuleModule, Verdict

MODULES: tuple[RuleModule, ...] = (
    # Refused: the revision loses data, or its upgrade fails (on the rows a table already has, or
    # on any database).
    index_without_columns,
    concurrent_index_in_transaction,
    sqlite_alter_outside_batch,
    drop_table,
    drop_column,
    narrow_type,
    set_not_null_without_default,
    add_identity_column,
    add_not_null_without_default,
    unique_over_constant_default,
    rows_break_constraint,
    # Reviewed: safe for the data, but may break the running code, fail on duplicates or stall a
    # busy table.
    drop_index,
    drop_constraint,
    rename_table,
    rename_column,
    unique_constraint_on_existing_rows,
    index_not_concurrent,
    add_foreign_key,
    add_column_with_foreign_key,
    add_check_constraint,
    foreign_key_copies_table,
    drop_not_null,
    type_change_rewrites_table,
    type_change_copies_table,
    set_not_null_fills_nulls,
    volatile_default_rewrites_table,
    identity_rewrites_table,
    generated_column_rewrites_table,
    stored_generated_column_copies_table,
)
RULES: tuple[Rule, ...] = tuple(module.RULE for module in MODULES)

__all__ = ["DIALECTS", "MODULES", "RULES", "Context", "Finding", "Rule", "RuleModule", "Verdict"]
