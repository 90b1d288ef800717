"""An author's browser, just enough of it: cookies, the admin login and the admin change form.

Forms are read from the page (every input, textarea and selected option), so hidden fields the
admin adds (a version for lost-update protection, formset management forms) are sent back as a
browser would send them.
"""

import re
import urllib.parse
import uuid
from html.parser import HTMLParser
from http.cookies import SimpleCookie

from .load import request


class FormParser(HTMLParser):
    """Fields of the form whose id is ``form_id`` (or of the first form)."""

    def __init__(self, form_id=None):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.done = form_id, False, False
        self.fields, self._textarea, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and self.form_id in (None, attrs.get("id")):
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append([name, attrs.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            self.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append([self._select, attrs.get("value", "")])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_fields(html, form_id=None):
    parser = FormParser(form_id)
    parser.feed(html)
    # A textarea's first newline is not part of its value (HTML parsing rule).
    return [[name, value[1:] if value.startswith("\n") else value] for name, value in parser.fields]


class Browser:
    """Cookies per server port are shared: the sites behind one load balancer are one site."""

    def __init__(self, port, admin_url="admin/"):
        self.port, self.admin = port, "/" + admin_url
        self.cookies = {}

    def _headers(self, extra=None):
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _remember(self, headers):
        for line in headers.get("_set_cookie", []):
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value

    def get(self, path, port=None):
        status, headers, body = request(port or self.port, path, headers=self._headers())
        self._remember(headers)
        return status, headers, body.decode("utf-8", "replace")

    def post(self, path, fields, port=None, referer_path=None, headers=None):
        body = urllib.parse.urlencode(fields).encode()
        headers = self._headers({
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://127.0.0.1{referer_path or path}",
            "Origin": "https://127.0.0.1",
            **(headers or {}),
        })  # fmt: skip
        status, answer, data = request(port or self.port, path, "POST", headers, body)
        self._remember(answer)
        return status, answer, data.decode("utf-8", "replace")

    def autosave(self, pk, text, port=None):
        """The editor's autosave of a note's text (title, tags, body, summary): status."""
        if "csrftoken" not in self.cookies:
            self.get(self.admin, port)
        fields = {"article": pk or "", **text}
        token = {"X-CSRFToken": self.cookies.get("csrftoken", "")}
        referer = f"{self.admin}articles/article/{pk}/change/"
        path = f"{self.admin}articles/article/autosave/"
        status, _, _ = self.post(path, fields, port, referer_path=referer, headers=token)
        return status

    def login(self, username, password, port=None):
        path = self.admin + "login/?next=" + self.admin
        status, _, page = self.get(path, port)
        fields = dict(form_fields(page, "login-form"))
        fields.update(username=username, password=password)
        status, headers, _ = self.post(path, fields, port)
        return status

    def save_note(self, pk, change, port=None):
        """Open a note's form (``pk`` None: a new note), apply ``change(fields)``, save.

        Returns (status, page, redirect location); a 302 means saved, a 200 the form again.
        """
        path = f"{self.admin}articles/article/{pk}/change/" if pk else (
            f"{self.admin}articles/article/add/")  # fmt: skip
        status, _, page = self.get(path, port)
        if status != 200:
            return status, page, ""
        fields = dict(form_fields(page, "article_form"))
        change(fields)
        fields.setdefault("_continue" if "_continue" in fields else "_save", "Save")
        status, headers, page = self.post(path, list(fields.items()), port)
        return status, page, headers.get("location", "")

    def upload_image(self, data, filename="image.png", port=None):
        """POST an image to the editor's upload endpoint as multipart: (status, body)."""
        self.get(self.admin, port)  # a CSRF cookie
        boundary = uuid.uuid4().hex
        token = self.cookies.get("csrftoken", "")
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f"{token}\r\n".encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; '
            f'filename="{filename}"\r\nContent-Type: image/png\r\n\r\n'.encode(),
            data,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
        headers = self._headers({
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Referer": f"https://127.0.0.1{self.admin}", "X-CSRFToken": token,
            "Origin": "https://127.0.0.1",
        })  # fmt: skip
        status, answer, body = request(port or self.port, "/markdownx/upload/", "POST", headers,
                                       b"".join(parts))  # fmt: skip
        return status, body.decode("utf-8", "replace")


def error_text(page):
    """The admin's error lists on a form page that was not saved, as one line."""
    found = " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S))
    return " ".join(re.sub(r"<[^>]+>", " ", found).split())
