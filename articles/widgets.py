"""The note body's editor widget: django-markdownx's admin widget (its live preview calls our
one renderer), which the writing desk (issue 17) builds on."""

from markdownx.widgets import AdminMarkdownxWidget


class BodyEditor(AdminMarkdownxWidget):
    pass
