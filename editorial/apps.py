from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, using="default", **kwargs):
    """Every migrate keeps the role groups in step with editorial/roles.py."""
    from django.apps import apps

    from editorial.roles import sync_roles

    # Once per migrate, after the last app's permissions were created.
    migrated = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is migrated[-1]:
        sync_roles(apps)


class EditorialConfig(AppConfig):
    """Roles (groups kept in step by a migration) and the audit trail."""

    name = "editorial"
    verbose_name = _("Roles and audit")

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.admin.models import LogEntry
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from editorial import audit

        post_save.connect(audit.on_log_entry, sender=LogEntry, dispatch_uid="audit-log-entry")
        post_delete.connect(audit.on_delete, dispatch_uid="audit-delete")
        user_logged_in.connect(audit.on_login, dispatch_uid="audit-login")
        user_logged_out.connect(audit.on_logout, dispatch_uid="audit-logout")
        user_locked_out.connect(audit.on_lockout, dispatch_uid="audit-lockout")
        post_migrate.connect(_sync_roles, dispatch_uid="editorial-sync-roles")
