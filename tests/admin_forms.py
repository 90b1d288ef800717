"""Submit the note change form as a browser would: every field as rendered, then overrides."""

from bs4 import BeautifulSoup
from django.urls import reverse


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def rendered_form_data(response, form_id="article_form"):
    """The values a browser would post from the form in ``response`` (no submit button)."""
    form = BeautifulSoup(response.content, "html.parser").find("form", id=form_id)
    data = {}
    for element in form.find_all(["input", "textarea", "select"]):
        name = element.get("name")
        if not name or element.get("type") in ("submit", "button", "checkbox", "radio", "file"):
            continue
        if element.name == "textarea":
            data[name] = element.text.removeprefix("\n")
        elif element.name == "select":
            chosen = element.find("option", selected=True)
            data[name] = chosen.get("value", "") if chosen else ""
        else:
            data[name] = element.get("value", "")
    return data


def change_form_data(client, article, **overrides):
    """GET the change form of ``article`` and return its data with ``overrides`` applied."""
    response = client.get(change_url(article))
    assert response.status_code == 200
    return {**rendered_form_data(response), **overrides}
