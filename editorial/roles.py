"""The roles: which Django permissions each group holds. The one table of them.

``sync_roles`` makes the groups hold exactly these permissions (adding what is missing,
removing what is not listed). The data migrations call it, and so does every ``migrate``
(post_migrate, editorial/apps.py), so permissions of apps migrated later (series, review)
join the groups without a migration of ours. What a role may do to a given note is decided by
articles/permissions.py from these permissions.

An entry is ``"app_label.codename"``, or ``"app_label.*"`` for every permission of an app.
A permission that does not exist (an app not migrated yet) is skipped.
"""

CONTRIBUTOR = "Contributor"
AUTHOR = "Author"
EDITOR = "Editor"

# Writers open the category list (the note form's category autocomplete) but manage nothing
# but their own notes; tags they type on their notes are created by the note form.
_WRITER = [
    "articles.add_article",
    "articles.change_article",
    "articles.delete_article",  # their own drafts only (articles.permissions.can_delete)
    # Not view_article: that reads every note (articles.permissions.views_any).
    "articles.view_category",
    "series.view_series",
]

ROLES = {
    CONTRIBUTOR: _WRITER,
    AUTHOR: [*_WRITER, "articles.publish_article"],
    EDITOR: [
        "articles.add_article",
        "articles.change_article",
        "articles.delete_article",
        "articles.view_article",
        "articles.publish_article",
        "articles.edit_any_article",
        "articles.review_article",
        "articles.add_category",
        "articles.change_category",
        "articles.delete_category",
        "articles.view_category",
        "taggit.*",
        "series.*",
        "review.*",
        "reversion.*",
        "transfer.view_importedsource",
        "editorial.view_auditentry",
    ],
}


def create_missing_permissions(apps):
    """Permissions are created after migrate (post_migrate): create them now, for every app."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def permissions_for(Permission, entries):
    """The Permission rows the table's entries name (those that exist)."""
    found = []
    for entry in entries:
        app_label, codename = entry.split(".", 1)
        rows = Permission.objects.filter(content_type__app_label=app_label)
        if codename != "*":
            rows = rows.filter(codename=codename)
        found.extend(rows)
    return found


def sync_roles(apps, table=ROLES):
    """Create the role groups and give each exactly its permissions from ``table``."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, entries in table.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions_for(Permission, entries))
