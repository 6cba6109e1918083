"""The rows the data migrations seed (role groups and their permissions, appointment types and
protocols, education pages, message templates).

A transactional test (a browser journey, a real Celery worker) ends with a flush that empties
every table, seeded rows included, and serialized_rollback clashes with the role groups that
post_migrate re-creates after a flush. Every seeder is idempotent, so tests/conftest.py simply
runs them again before each transactional test."""

import importlib

from django.apps import apps

SEEDERS = [
    ("clinic.migrations.0002_roles", "create_roles"),
    ("treatments.migrations.0003_seed_protocols", "seed"),
    ("education.migrations.0002_seed_pages", "seed"),
    ("notifications.migrations.0002_default_templates", "load"),
    ("patients.migrations.0008_intake_seed_consent", "seed"),
]


def reseed() -> None:
    from clinic.roles import sync_role_permissions

    for module, function in SEEDERS:
        getattr(importlib.import_module(module), function)(apps, None)
    sync_role_permissions()
