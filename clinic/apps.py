from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic setup"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import roles

        # Groups are created by a migration; their permissions are re-synced after every migrate
        # so that models added later are covered without another hand-written migration.
        post_migrate.connect(roles.sync_role_permissions, sender=self)
