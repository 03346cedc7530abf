"""The service package: models, database access, settings and migration rules."""
