"""The note admin's revision pages: History, compare, restore, conflicts, deleted notes.

A mixin for ``ArticleAdmin``; the logic lives in ``articles.revisions``.
"""

from dataclasses import replace

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from articles import autosave, permissions
from articles.conflicts import InvalidVersionToken, read_version_token, version_token
from articles.models import Article, Autosave
from articles.revisions import (
    Snapshot,
    compare,
    deleted_notes,
    history,
    recover_deleted,
    restore_revision,
    snapshot_of_version,
    store_conflict_copy,
    versions_of,
)
from articles.services import EditConflict
from articles.tagging import parse_tags

EMPTY_NOTE = Snapshot("", "", "", "", None, "", [], "", None, None)


class RevisionAdminMixin:
    def revision_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path("recover/", view(self.recover_list_view), name="{}_{}_recoverlist".format(*info)),
            path(
                "recover/<int:version_id>/",
                view(require_POST(self.recover_view)),
                name="{}_{}_recover".format(*info),
            ),
            path(
                "<int:pk>/history/compare/",
                view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            path(
                "<int:pk>/history/<int:version_id>/restore/",
                view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            path(
                "<int:pk>/conflict/<int:version_id>/use/",
                view(require_POST(self.take_mine_view)),
                name="{}_{}_take_mine".format(*info),
            ),
        ]

    def _render(self, request, template, title, **context):
        base = {**self.admin_site.each_context(request), "opts": self.opts, "title": title}
        return TemplateResponse(request, f"admin/articles/article/{template}", base | context)

    def _article_or_404(self, request, pk, *, change=False):
        """The note, if this user may see it (edit it, with ``change``); else 403/404."""
        self.refuse_hidden(request, pk)
        article = get_object_or_404(Article.objects.select_related("category", "author"), pk=pk)
        allowed = (
            self.has_change_permission(request, article)
            if change
            else self.has_view_or_change_permission(request, article)
        )
        if not allowed:
            request.audit_reason = f"may not {'change' if change else 'see'} note {pk}"
            raise PermissionDenied
        return article

    def _version_or_404(self, pk, version_id):
        return get_object_or_404(versions_of(pk), pk=version_id)

    # --- History, compare, restore ---

    def history_view(self, request, object_id, extra_context=None):
        article = self._article_or_404(request, unquote(object_id))
        return self._render(
            request,
            "history.html",
            gettext("History: %(note)s") % {"note": article},
            original=article,
            entries=history(article.pk),
            **(extra_context or {}),
        )

    def compare_view(self, request, pk):
        """Two revisions side by side (``?a=<id>&b=<id>``, ``b`` defaults to the stored note)."""
        article = self._article_or_404(request, pk)
        snapshots = []
        for side in ("a", "b"):
            value = request.GET.get(side, "current")
            if value == "current":
                snapshots.append((Snapshot.of_article(article), None))
            elif value.isdigit():
                version = self._version_or_404(pk, int(value))
                snapshots.append((snapshot_of_version(version), version))
            else:
                raise Http404(gettext("Pick two revisions to compare."))
        (old, old_version), (new, new_version) = snapshots
        return self._render(
            request,
            "compare.html",
            gettext("Compare revisions: %(note)s") % {"note": article},
            original=article,
            changes=compare(old, new),
            old_version=old_version,
            new_version=new_version,
        )

    def restore_view(self, request, pk, version_id):
        article = self._article_or_404(request, pk, change=True)
        version = self._version_or_404(pk, version_id)
        if request.method == "POST":
            outcome = restore_revision(article, version, user=request.user)
            self.log_change(request, article, f"Restored revision #{version.revision_id}.")
            self.message_user(
                request, gettext("Restored: a new revision was recorded."), messages.SUCCESS
            )
            for note in outcome.not_restored:
                self.message_user(request, note, messages.WARNING)
            return redirect(reverse("admin:articles_article_change", args=[article.pk]))
        return self._render(
            request,
            "restore_confirm.html",
            gettext("Restore a revision of %(note)s") % {"note": article},
            original=article,
            version=version,
            changes=compare(Snapshot.of_article(article), snapshot_of_version(version)),
        )

    # --- Conflicts ---

    def conflict_view(self, request, conflict):
        """Keep the refused save, then show it next to the stored note (409)."""
        submitted, tags = conflict.submitted, conflict.tags
        current = Article.objects.select_related("category", "author").filter(pk=submitted.pk)
        current = current.first()
        if current is None:
            fields = vars(submitted) | {"tags": ", ".join(tags)}
            return self.keep_text_of_deleted_note(request, fields)
        copy = store_conflict_copy(
            submitted, tags=tags, user=request.user, current_version=current.version
        )
        return self.render_conflict(request, current, copy)

    def keep_text_of_deleted_note(self, request, fields):
        """Deleted meanwhile: a revision needs the row, so the text becomes a new-note autosave."""
        if any(fields.get(name) for name in autosave.TEXT_FIELDS):
            Autosave.objects.update_or_create(
                user=request.user,
                article=None,
                defaults={
                    name: str(fields.get(name, ""))[: Autosave._meta.get_field(name).max_length]
                    for name in autosave.TEXT_FIELDS
                },
            )
        self.message_user(
            request,
            gettext(
                "This note was deleted while you edited it. Your text was kept: Add note offers "
                "it back (and Recover deleted notes lists the note)."
            ),
            messages.ERROR,
        )
        return redirect(reverse("admin:articles_article_changelist"))

    def render_conflict(self, request, current, copy):
        mine = snapshot_of_version(copy)
        theirs = Snapshot.of_article(current)
        last = versions_of(current.pk).exclude(pk=copy.pk).order_by("-pk").first()
        response = self._render(
            request,
            "conflict.html",
            gettext("Conflict: %(note)s was saved by someone else") % {"note": current},
            original=current,
            copy=copy,
            mine=mine,
            theirs=theirs,
            changes=compare(theirs, mine),
            saved_by=last.revision.user if last else None,
            saved_at=last.revision.date_created if last else current.updated_at,
            version_token=version_token(current),
        )
        response.status_code = 409
        return response

    def take_mine_view(self, request, pk, version_id):
        """Apply a conflict copy over the stored note, if nobody saved again since."""
        article = self._article_or_404(request, pk, change=True)
        copy = self._version_or_404(pk, version_id)
        self._check_fields_restorable(request, article, snapshot_of_version(copy))
        try:
            expected = read_version_token(request.POST.get("base_version"), article.pk)
            restore_revision(
                article,
                copy,
                user=request.user,
                expected_version=expected,
                all_fields=True,
                comment=f"Saved over a concurrent edit (conflict copy #{copy.revision_id}).",
            )
        except InvalidVersionToken as error:
            message = gettext("%(error)s Nothing was saved.") % {"error": error}
            self.message_user(request, message, messages.ERROR)
            return redirect(reverse("admin:articles_article_change", args=[pk]))
        except EditConflict:
            return self.render_conflict(request, Article.objects.get(pk=pk), copy)
        self.log_change(request, article, f"Saved conflict copy #{copy.revision_id}.")
        self.message_user(request, gettext("Your version was saved."), messages.SUCCESS)
        return redirect(reverse("admin:articles_article_change", args=[pk]))

    def _check_fields_restorable(self, request, article, snapshot):
        """A copy bringing back status, date or author: only for those who may set them."""
        user = request.user
        publishing = (snapshot.status, snapshot.published_at) != (
            article.status,
            article.published_at,
        )
        if publishing and not permissions.can_publish(user, article):
            request.audit_reason = f"may not publish note {article.pk}"
            raise PermissionDenied
        if snapshot.author_id != article.author_id and not permissions.can_change_author(user):
            request.audit_reason = f"may not change the author of note {article.pk}"
            raise PermissionDenied

    def conflict_copy_from_query(self, request, article):
        """``?conflict=<version id>`` on the change form: that copy, to merge by hand."""
        value = request.GET.get("conflict", "")
        if not value.isdigit():
            return None
        version = versions_of(article.pk).filter(pk=int(value)).first()
        return snapshot_of_version(version) if version else None

    # --- Autosave offer ---

    def autosave_offer(self, request, article):
        pending = autosave.pending_autosave(request.user, article)
        if pending is None:
            return None
        saved = Snapshot.of_article(article) if article else EMPTY_NOTE
        offered = replace(
            saved,
            title=pending.title,
            body=pending.body,
            summary=pending.summary,
            tags=[[None, name] for name in parse_tags(pending.tags)],
        )
        return {
            "autosave": pending,
            "changes": compare(saved, offered),
            "stale": article is not None and pending.base_version != article.version,
            "data": {
                **{name: getattr(pending, name) for name in autosave.TEXT_FIELDS},
                "saved_at": int(pending.updated_at.timestamp() * 1000),
            },
        }

    # --- Deleted notes ---

    def recover_list_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        deleted = deleted_notes()
        if not permissions.edits_any(request.user):  # a writer: their own deleted notes
            deleted = [v for v in deleted if self._may_recover(request.user, v)]
        title = gettext("Recover deleted notes")
        return self._render(request, "recover_list.html", title, deleted=deleted)

    @staticmethod
    def _may_recover(user, version):
        """Editors recover any note; a writer their own, and a published one if they publish."""
        if permissions.edits_any(user):
            return True
        data = version.field_dict
        published = data.get("status") == Article.Status.PUBLISHED
        return data.get("author_id") == user.pk and (
            not published or user.has_perm("articles.publish_article")
        )

    def recover_view(self, request, version_id):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        version = get_object_or_404(deleted_notes(), pk=version_id)
        if not self._may_recover(request.user, version):
            request.audit_reason = f"may not recover note {version.object_id}"
            raise PermissionDenied
        try:
            outcome = recover_deleted(version, user=request.user)
        except ValueError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect(reverse("admin:articles_article_recoverlist"))
        self.log_addition(request, outcome.article, "Recovered after deletion.")
        self.message_user(request, gettext("The note was recovered."), messages.SUCCESS)
        for note in outcome.not_restored:
            self.message_user(request, note, messages.WARNING)
        return redirect(reverse("admin:articles_article_change", args=[outcome.article.pk]))
