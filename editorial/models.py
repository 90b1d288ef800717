from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One thing someone did (or tried) in the admin. Written by editorial.audit only."""

    class Action(models.TextChoices):
        ADDITION = "add", _("Added")
        CHANGE = "change", _("Changed")
        DELETION = "delete", _("Deleted")
        IMPORT = "import", _("Imported")
        REASSIGN = "reassign", _("Reassigned notes")
        FORBIDDEN = "forbidden", _("Forbidden attempt")
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOCKOUT = "lockout", _("Locked out")

    when = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # Kept when the user is deleted: the name stays in ``username``.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("object type"),
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    summary = models.TextField(_("what"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-when", "-id"]
        indexes = [models.Index(fields=["action", "-when"], name="audit_action_when_idx")]

    def __str__(self):
        what = self.object_repr or self.path
        return f"{self.when:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {what}"
