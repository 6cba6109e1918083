from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "treatments"

    def ready(self) -> None:
        from clinic.setup_stamp import connect_setup_stamp

        # A protocol's spacing is part of what the desk calendar shows (its spacing notes).
        connect_setup_stamp("treatments", ["Protocol"])
