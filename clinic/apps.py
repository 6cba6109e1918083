from django.apps import AppConfig, apps


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic setup"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # Groups are created by a migration; their permissions are re-synced after every migrate
        # so that models added later are covered without another hand-written migration.
        post_migrate.connect(_sync_after_last_app, dispatch_uid="prolo_sync_role_permissions")

        from django.contrib.auth.signals import user_logged_in

        from .two_factor import mark_code_needed

        user_logged_in.connect(mark_code_needed, dispatch_uid="prolo_two_factor_code_needed")

        from .setup_stamp import CLINIC_SETUP, connect_setup_stamp

        connect_setup_stamp("clinic", CLINIC_SETUP)


def _sync_after_last_app(sender, **kwargs) -> None:
    """post_migrate fires once per app, and each app's permissions are created in its own turn:
    syncing on clinic's turn (it comes first) would miss every model of the apps after it on a
    fresh database. So the roles are synced on the last app's turn, when all permissions exist."""
    from . import roles

    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender is last:
        roles.sync_role_permissions(using=kwargs.get("using", "default"))
