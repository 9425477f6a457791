"""Surveys in the languages Lancashire's families speak: ?lang= pages, stored language, same KPIs."""

from datetime import date

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import url_for

from analysis import jobs
from analysis.dao import snapshot_counts
from feedback import languages
from feedback.db import reading
from feedback.models import Answer, Response
from surveys import definitions, translations
from tests.conftest import form_fields, parse, rows

TRANSLATED = ["service-experience", "break-time-parent", "break-time-young-person"]
SHIPPED = ["bn", "gu", "pl", "ur"]
OCTOBER = date(2026, 10, 1)


def survey(client, slug="service-experience", **args):
    return client.get(url_for("respondents.open_survey", slug=slug, **args))


@pytest.mark.parametrize(
    ("code", "direction", "question"),
    [
        ("pl", "ltr", "Jak ogólnie oceniasz kontakt z usługą: Fizjoterapia?"),
        ("gu", "ltr", "એકંદરે, ફિઝિયોથેરાપી સાથેનો તમારો અનુભવ કેવો રહ્યો?"),
        ("ur", "rtl", "مجموعی طور پر، فزیوتھراپی کے ساتھ آپ کا تجربہ کیسا رہا؟"),
    ],
)
def test_a_translated_survey_is_in_the_language_asked_for_with_its_direction(
    client, code, direction, question
):
    page = parse(survey(client, service="physiotherapy", lang=code))
    assert (page.html["lang"], page.html["dir"]) == (code, direction)
    assert page.select_one("legend").get_text(" ", strip=True).startswith(question)
    assert f"lang={code}" in page.select_one("form")["action"]


def test_easy_read_in_urdu_uses_the_easy_service_name_in_urdu(client):
    page = parse(survey(client, service="physiotherapy", lang="ur", easy=1))
    assert page.select_one("h1").get_text(strip=True) == "فزیو کی ٹیم کے پاس آپ کی ملاقات"
    assert [label.get_text(strip=True) for label in page.select(".choice label")][:2] == ["بہت اچھا", "اچھا"]


def test_every_respondent_page_offers_each_language_named_in_itself(client):
    page = parse(survey(client, service="camhs", district="preston"))
    links = {a.get_text(strip=True): a for a in page.select("nav.languages a")}
    assert set(links) == {"বাংলা", "ગુજરાતી", "Polski", "اردو"}
    assert (links["اردو"]["lang"], links["اردو"]["dir"], links["اردو"]["hreflang"]) == ("ur", "rtl", "ur")
    assert links["Polski"]["href"] == url_for(
        "respondents.open_survey", slug="service-experience", service="camhs", district="preston", lang="pl"
    )
    current = page.select_one("nav.languages [aria-current]")
    assert current.get_text(strip=True) == "English"


@pytest.mark.parametrize("asked", ["xx", "de", ""])
def test_a_language_not_offered_gives_the_english_page(client, asked):
    page = parse(survey(client, service="camhs", lang=asked))
    assert (page.html["lang"], page.html["dir"]) == ("en", "ltr")


def test_a_survey_not_yet_translated_stays_in_english_and_offers_no_other_language(client):
    page = parse(survey(client, slug="local-offer", lang="pl"))
    assert page.html["lang"] == "en"
    assert page.select_one("nav.languages") is None
    assert "lang=" not in page.select_one("form")["action"]


def test_staff_pages_stay_in_english(client):
    page = parse(client.get("/dashboard/login?lang=ur"))
    assert (page.html["lang"], page.html["dir"]) == ("en", "ltr")


def test_errors_are_in_the_language_of_the_page(client):
    url = url_for("respondents.open_survey", slug="service-experience", service="camhs", lang="pl")
    page = parse(client.post(url, data=form_fields(client.get(url))))
    assert page.select_one(".error-summary h2").get_text(strip=True) == "Wystąpił problem"
    assert "Wybierz odpowiedź na to pytanie." in page.select_one(".error-summary").get_text()


@pytest.mark.parametrize("code", ["en", "pl", "ur"])
def test_an_answer_in_any_language_is_stored_with_it_and_counts_in_the_same_kpi(client, frozen_clock, code):
    from datetime import UTC, datetime

    frozen_clock(datetime(2026, 10, 14, 10, tzinfo=UTC))
    args = {"service": "camhs", **({"lang": code} if code != "en" else {})}
    url = url_for("respondents.open_survey", slug="service-experience", **args)
    result = client.post(url, data={**form_fields(client.get(url)), "overall": "good"})
    assert result.status_code == 303
    assert f"lang={code}" in result.location or code == "en"
    [response] = rows(Response)
    assert response.language == code
    assert [(a.question_key, a.value) for a in rows(Answer)] == [("overall", "good")]
    jobs.rebuild([OCTOBER])
    with reading() as session:
        counts = snapshot_counts(session, [OCTOBER])
    assert counts[("app-2020", "APP 1b", OCTOBER, "all")] == (1, 1)


def test_the_thanks_page_keeps_the_language(client):
    page = parse(
        client.get(url_for("respondents.thanks", slug="service-experience", service="camhs", lang="ur"))
    )
    assert page.html["dir"] == "rtl"
    assert page.select_one("h1").get_text(strip=True) == "شکریہ"


# -- the translations themselves -------------------------------------------------------------


@pytest.mark.parametrize("code", SHIPPED)
@pytest.mark.parametrize("slug", TRANSLATED)
def test_each_shipped_language_translates_all_of_the_surveys_it_is_offered_for(code, slug):
    found, _ = definitions.load_directory()
    definition = next(d for d in found if d.slug == slug)
    translation = translations.load()[code]
    assert [text for text in translations.wording(definition) if text not in translation.words] == []


@pytest.mark.parametrize("code", SHIPPED)
def test_each_translation_says_who_checked_it(code):
    assert translations.load()[code].checked_by.strip()


def test_a_translation_keeps_every_code_and_changes_only_words():
    found, _ = definitions.load_directory()
    english = next(d for d in found if d.slug == "service-experience")
    polish = translations.translate(english, translations.load()["pl"])
    assert [(q.key, [o.code for o in q.options]) for q in polish.questions] == [
        (q.key, [o.code for o in q.options]) for q in english.questions
    ]
    assert polish.questions[0].options[0].label == "Bardzo dobrze"


def _key(text):
    return tuple(text) if isinstance(text, list | tuple) else text


@pytest.mark.parametrize("code", SHIPPED)
def test_every_interface_word_is_translated_and_the_compiled_catalogue_is_up_to_date(code):
    folder = languages.CATALOGUES / code / "LC_MESSAGES"
    with (languages.CATALOGUES / "messages.pot").open("rb") as f:
        wanted = {_key(m.id) for m in read_po(f) if m.id}
    with (folder / "messages.po").open("rb") as f:
        written = {_key(m.id): _key(m.string) for m in read_po(f) if m.id}
    with (folder / "messages.mo").open("rb") as f:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
    assert wanted <= {key for key, value in written.items() if value and all(value)}
    assert compiled == written


def test_the_catalogue_template_holds_every_word_marked_for_translation():
    root = languages.CATALOGUES.parent.parent
    with (root / "babel.cfg").open() as f:
        methods, options = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, "N_": None, "say": None}
    marked = {found[2] for found in extract_from_dir(root, methods, options, keywords)}
    with (languages.CATALOGUES / "messages.pot").open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    # After marking new words: the pybabel commands in the README, "Languages and easy read".
    assert {_key(text) for text in marked} - template == set()


def test_offered_languages_are_english_then_those_with_a_catalogue():
    assert [language.code for language in languages.offered()] == ["en", "bn", "gu", "pl", "ur"]
    assert languages.chosen("pl-PL").code == "pl"
    assert languages.KNOWN["ur"].direction == "rtl"
