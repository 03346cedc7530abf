"""pytest-alembic's standard checks of the migration history.

- one head only; every revision upgrades from an empty database;
- the models match the schema the migrations build (no missing revision);
- every revision downgrades cleanly and upgrades again.
"""

from pytest_alembic.tests import (  # noqa: F401
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
