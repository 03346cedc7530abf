"""The migration machinery env.py runs on: you rarely need to edit it.

- `guards`: what autogenerate may see (ignored tables) and may write (no
  empty, destructive or unsafe revisions without an explicit override);
- `compare`, `enums`: what autogenerate compares, corrected where a database
  stores things its own way (enum values, MySQL spellings, drop orders);
- `runtime`: connecting, the production guard, timeouts, one-line failures;
- `locks`: one migration run at a time per database;
- `helpers`: `environment()`, `is_production()`, `is_offline()` for revisions;
- `backfill`: large data migrations in committed batches;
- `messages`: what the guards say, in the project's language.

Your own code lives one level up: `models.py`, `db.py`, `settings.py`.
"""
