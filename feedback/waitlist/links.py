"""What a waiting-list letter's short survey link carries: /l/<pathway>-<letter>-<district>.

Only the pathway, the letter's number and the district, never who the family is; the survey
they lead to (``SURVEY``, about ``SERVICE``) is broken down by the letter families had received
(APP 3.3). Pure: the page that follows a link is feedback.waitlist.public; the survey pages and
the dashboard read a letter's number with ``letter_number``.
"""

SURVEY, SERVICE = "asd-support", "asd-nd-pathway"


def letter_number(text: str | None) -> int | None:
    """Return a letter's number (1 to 99) from its written form, or None if it is not one."""
    if not text or not (text.isascii() and text.isdigit()) or not 0 < int(text) <= 99:
        return None
    return int(text)


def parse(code: str, pathways, districts) -> tuple[str, int, str | None] | None:
    """Return (pathway, letter number, district or None) from a link's code, or None."""
    pathway, _, rest = code.partition("-")
    number, _, district = rest.partition("-")
    if pathway not in pathways or letter_number(number) is None:
        return None
    if district != "all" and district not in districts:
        return None
    return pathway, letter_number(number), None if district == "all" else district
