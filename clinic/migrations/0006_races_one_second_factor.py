"""One authenticator app and one set of recovery codes per account (clinic/two_factor.py): two tabs
turning two-factor sign-in on, or renewing the codes, at once must not leave two. django-otp's
tables are not ours to declare constraints on, so these are unique indexes made here; the same SQL
serves PostgreSQL and SQLite (both take partial indexes). clinic/integrity.py names them."""

from django.db import migrations

INDEXES = [
    ("two_factor_one_app_per_user", "otp_totp_totpdevice"),
    ("two_factor_one_code_set_per_user", "otp_static_staticdevice"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0005_merge_20261129_1026"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE UNIQUE INDEX {name} ON {table} (user_id) WHERE confirmed",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, table in INDEXES
    ]
