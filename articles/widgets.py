"""The note body's editor: the writing desk (issue 17) over django-markdownx's admin widget.

The widget renders templates/markdownx/body_editor.html: the textarea (the form's field and
the fallback without JavaScript), the preview pane and the toolbar, status and shortcut list
the editor's script (frontend/editor, built by ``npm run build``) brings to life. Its preview
requests go to markdownx's endpoint, whose function is ``desk_preview``.
"""

from django.forms.renderers import TemplatesSetting
from markdownx.widgets import AdminMarkdownxWidget

from articles import images, rendering

# The project's template engine (templates/), whatever the form renderer is.
_renderer = TemplatesSetting()


class BodyEditor(AdminMarkdownxWidget):
    template_name = "markdownx/body_editor.html"

    def render(self, name, value, attrs=None, renderer=None):
        return super().render(name, value, attrs, _renderer)

    class Media:
        # Replaces markdownx's own script (the editor sends its preview and upload requests
        # itself: debounced, one at a time), keeps its stylesheet.
        extend = False
        css = {"all": ["markdownx/admin/css/markdownx.min.css", "css/writing-desk.css"]}
        js = ["editor/editor.js"]


def desk_preview(text):
    """MARKDOWNX_MARKDOWNIFY_FUNCTION: the stored page's body HTML for ``text`` (images'
    sizes and variants included) plus the editor's source lines."""
    return rendering.render_preview(text, images=images.stored_image_facts, source_lines=True)
