"""Accessible letters: a tagged PDF in British English with a title, 12 pt body text, large print
and easy read per family, and a short survey link that says nothing about who the family is."""

from datetime import date

import pytest
from pypdf import PdfReader

from feedback.db import reading, transaction
from feedback.waitlist import crypto, dao, letters, public, tracker
from tests.conftest import create_staff, parse, sign_in
from tests.waitlist.test_letters import create_family, printed

ON = date(2026, 11, 23)


@pytest.fixture
def keyed(app):
    app.config["DATA_KEY"] = crypto.new_key()
    return app


def pdf_of(contents, tmp_path):
    return PdfReader(letters.write_pdf(contents, tmp_path / "letters.pdf"))


def text_sizes(page):
    """Return the size in points of each run of text on a page."""
    sizes = []

    def visit(text, cm, tm, _font, size):
        if text.strip():
            sizes.append(round(size * tm[3] * cm[3], 1))

    page.extract_text(visitor_text=visit)
    return sizes


def test_the_pdf_is_tagged_in_british_english_with_a_title(keyed, tmp_path):
    create_family(referral=date(2026, 11, 20))
    reader = pdf_of(printed(ON), tmp_path)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title == "Waiting-list letters"
    kinds = str(root["/StructTreeRoot"].get_object())
    assert "/K" in kinds


def test_body_text_is_at_least_12_point_and_large_print_at_least_16(keyed, tmp_path):
    create_family("ND1", referral=date(2026, 11, 20))
    create_family("ND2", referral=date(2026, 11, 20))
    with transaction() as session:
        dao.set_letter_format(session, "ND2", large_print=True, easy_read=False)
    normal, large = printed(ON)
    assert (normal.size, large.size) == (12, 16)
    reader = pdf_of([normal], tmp_path)
    assert min(text_sizes(reader.pages[0])) >= 12
    reader = pdf_of([large], tmp_path)
    body = text_sizes(reader.pages[0])[7:]  # after the sender, the address, date and reference
    assert min(body) >= 16


def test_an_easy_read_letter_has_short_sentences_and_pictures_with_words(keyed, tmp_path):
    create_family(referral=date(2026, 11, 20))
    with transaction() as session:
        dao.set_letter_format(session, "ND1", large_print=False, easy_read=True)
    [letter] = printed(ON)
    assert letter.easy_read and letter.size == 16
    sentences = [s for s in letter.text.replace("\n", " ").split(". ") if s.strip()]
    assert max(len(s.split()) for s in sentences[2:]) <= 20
    assert "[clock] Wren has waited less than a week." in letter.text
    reader = pdf_of([letter], tmp_path)
    figures = [obj for obj in _structure(reader) if obj.get("/S") == "/Figure"]
    assert len(figures) >= 6 and all(f.get("/Alt") for f in figures)


def _structure(reader):
    """Yield every structure element of the PDF's tag tree."""
    pending = [reader.trailer["/Root"]["/StructTreeRoot"].get_object()]
    while pending:
        node = pending.pop()
        if hasattr(node, "get"):
            yield node
            kids = node.get("/K")
            kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
            pending.extend(k.get_object() for k in kids if hasattr(k, "get_object"))


def test_the_survey_link_carries_only_pathway_letter_and_district(keyed):
    keyed.config["BASE_URL"] = "https://feedback.example.org"
    create_family(referral=date(2026, 11, 20))
    [letter] = printed(ON)
    assert letter.survey_link == "https://feedback.example.org/l/asd-1-burnley"
    assert letter.survey_link in " ".join(letter.text.split())


def test_the_short_link_sends_a_parent_to_the_waiting_list_survey(keyed, client):
    response = client.get("/l/asd-2-burnley")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        "/s/asd-support?service=asd-nd-pathway&pathway=asd&letter=2&district=burnley"
    )
    assert client.get("/l/asd-2-all").headers["Location"].endswith("letter=2")
    for bad in ("/l/asd-x-burnley", "/l/dentist-1-burnley", "/l/asd-1-atlantis", "/l/asd-0-all"):
        assert client.get(bad).status_code == 404


def test_short_link_codes_are_parsed_strictly():
    assert public.parse("asd-12-all", {"asd"}, set()) == ("asd", 12, None)
    assert public.parse("asd-12", {"asd"}, set()) is None


def test_the_asd_team_records_a_family_s_letter_format(keyed, client):
    create_family(referral=date(2026, 11, 20))
    create_staff("asd@example.org", "asd_team")
    sign_in(client, "asd@example.org")
    page = parse(client.get("/asd/family/ND1"))
    token = page.select_one("form[action='/asd/family/ND1/format'] input[name=csrf_token]")["value"]
    response = client.post("/asd/family/ND1/format", data={"csrf_token": token, "large_print": "y"})
    assert response.status_code == 302
    with reading() as session:
        row = dao.entry(session, "ND1")
    assert (row.large_print, row.easy_read) == (True, False)
    [letter] = printed(ON)
    assert letter.size == 16


def test_an_import_keeps_a_format_the_extract_does_not_mention(keyed):
    create_family(referral=date(2026, 11, 20))
    with transaction() as session:
        dao.set_letter_format(session, "ND1", large_print=True, easy_read=True)
    create_family(referral=date(2026, 11, 20))  # the same row again, no format columns
    with reading() as session:
        row = dao.entry(session, "ND1")
        [fam] = tracker.families(session, ON)
    assert (row.large_print, row.easy_read) == (True, True) and fam.due
