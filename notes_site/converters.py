class UnicodeSlugConverter:
    """Like Django's ``slug`` converter, but also accepts Unicode letters (Chinese slugs)."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class FourDigitYearConverter:
    regex = r"[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigitMonthConverter:
    """Months as 01-12, so each archive month has one URL (``/archive/2026/03/``)."""

    regex = r"[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"
