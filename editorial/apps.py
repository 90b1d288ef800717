from django.apps import AppConfig


class EditorialConfig(AppConfig):
    """Roles (groups kept in step by a migration) and the audit trail."""

    name = "editorial"
    verbose_name = "Roles and audit"
