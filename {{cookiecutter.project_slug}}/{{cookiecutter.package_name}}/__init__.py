"""The service package.

Yours to edit: `models.py` (the tables), `db.py` (engine and sessions),
`settings.py` (DATABASE_URL and the environment name), `schema.py` (the naming
convention). The migration machinery that alembic/env.py runs on lives in the
`migrations` subpackage.
"""
