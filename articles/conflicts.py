"""The version a change form was loaded from, carried in a signed hidden field.

The token names the note and its version ("<pk>:<version>"), signed with SECRET_KEY, so the
server can tell a stale form (someone saved since: a conflict) from a missing, altered or
other note's field (refused with a message). The browser decides nothing.
"""

from django.core import signing

_SALT = "articles.change-form-version"


class InvalidVersionToken(ValueError):
    """The form did not carry a usable version of this note."""


def version_token(article):
    return signing.Signer(salt=_SALT).sign(f"{article.pk}:{article.version}")


def read_version_token(token, article_pk):
    """The version in ``token``, for the note ``article_pk``; InvalidVersionToken otherwise."""
    if not token:
        raise InvalidVersionToken(
            "This form did not say which version of the note it was loaded from."
        )
    try:
        value = signing.Signer(salt=_SALT).unsign(token)
    except signing.BadSignature:
        raise InvalidVersionToken("This form's version field was altered.") from None
    pk, _, version = value.partition(":")
    if pk != str(article_pk):
        raise InvalidVersionToken("This form's version field belongs to another note.")
    return int(version)
