"""Easy read is easy: every easy-read string, in the instruments, the pages and the chat, has
sentences of 15 words or fewer, no jargon and no unexplained acronym, and every answer a picture."""

import tomllib
from pathlib import Path

import pytest
from flask import url_for

from bot.api import CHAT_RESPONDENTS
from surveys import definitions, easy_read
from tests.conftest import form_fields, parse

INSTRUMENTS, _ = definitions.load_directory()
REFERENCE = Path(definitions.__file__).resolve().parent.parent / "feedback" / "reference.toml"
with REFERENCE.open("rb") as _f:
    SERVICES = tomllib.load(_f)["services"]
PICTURES = Path(definitions.__file__).resolve().parent.parent / "feedback" / "static" / "pictures"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "How was your visit to the physio team today, and was it at the right time "
            "for you and your child?",
            "21 words",
        ),
        ("Did the CAMHS team help?", "acronym 'CAMHS'"),
        ("How was your visit to Autism and neurodevelopmental (ASD/ND) pathway?", "acronym 'ASD/ND'"),
        ("Was your assessment quick?", "jargon 'assessment'"),
        ("Did you look at the Local Offer?", "jargon 'local offer'"),
    ],
)
def test_a_hard_sentence_is_reported_with_what_makes_it_hard(text, problem):
    assert [found for found in easy_read.problems(text) if found.startswith(problem)]


@pytest.mark.parametrize(
    "text",
    [
        "It was OK.",
        "The plan is called an 'EHCP'.",
        "It is called a \u2018Transition Plan\u2019.",
        "Your child's plan. It has 'EHCP' on the front.",
        "Fifteen words is the most: one two three four five six seven eight nine ten eleven.",
    ],
)
def test_short_plain_sentences_and_named_hard_words_pass(text):
    assert easy_read.problems(text) == []


def _easy_strings(definition):
    yield definition.easy_title or definition.title
    yield definition.easy_intro
    for question in definition.questions:
        yield question.easy_text
        yield from (option.easy_label for option in question.options)
        hint = definition.asked_if_hint(question.key, easy_read=True)
        if hint:
            yield hint


@pytest.mark.parametrize("definition", INSTRUMENTS, ids=lambda d: d.slug)
def test_every_easy_read_string_of_an_instrument_is_easy(definition):
    found = [p for text in _easy_strings(definition) for p in easy_read.problems(text)]
    assert found == []


@pytest.mark.parametrize("definition", INSTRUMENTS, ids=lambda d: d.slug)
def test_every_answer_has_a_picture_beside_it(definition):
    for question in definition.questions:
        for option in question.options:
            assert (PICTURES / f"{option.picture}.svg").is_file(), (question.key, option.code)


@pytest.mark.parametrize("slug", sorted(SERVICES))
def test_every_service_has_an_easy_name_and_contact_in_plain_words(slug):
    service = SERVICES[slug]
    said = [
        f"{service['easy_name']} will read your answers.",
        f"You can also contact {service.get('contact', 'us')}.",
    ]
    assert [p for text in said for p in easy_read.problems(text)] == []


def _main_text(response):
    main = parse(response).select_one("main")
    for hidden in main.select(".visually-hidden"):
        hidden.decompose()
    return main.get_text("\n")


def _easy_pages(definition):
    services = (
        sorted(SERVICES)
        if definition.slug == "service-experience"
        else [definition.default_service or "camhs"]
    )
    for service in services:
        args = {"slug": definition.slug, "service": service, "easy": "1"}
        yield "get", url_for("respondents.open_survey", **args)
        yield "post", url_for("respondents.open_survey", **args)  # nothing answered: the errors
        yield "get", url_for("respondents.thanks", **args)


@pytest.mark.parametrize("definition", INSTRUMENTS, ids=lambda d: d.slug)
def test_every_easy_read_page_says_only_easy_things(client, definition):
    found = set()
    for method, url in _easy_pages(definition):
        if method == "post":
            response = client.post(url, data=form_fields(client.get(url)))
        else:
            response = client.get(url)
        assert response.status_code == 200, url
        found.update(f"{url}: {p}" for p in easy_read.problems(_main_text(response)))
    assert sorted(found) == []


def test_the_easy_read_privacy_page_is_easy_and_linked_from_easy_read_pages(client):
    page = client.get(url_for("pages.privacy", easy=1))
    assert easy_read.problems(_main_text(page)) == []
    form = parse(client.get(url_for("respondents.open_survey", slug="local-offer", easy=1)))
    links = {a["href"] for a in form.select("a")}
    assert url_for("pages.privacy", easy=1) in links
    assert url_for("pages.privacy") not in links


@pytest.mark.parametrize(
    "definition", [d for d in INSTRUMENTS if d.respondent_type in CHAT_RESPONDENTS], ids=lambda d: d.slug
)
def test_easy_read_forms_use_the_easy_service_name_and_title(client, definition):
    service = definition.default_service or "asd-nd-pathway"
    page = parse(
        client.get(url_for("respondents.open_survey", slug=definition.slug, service=service, easy=1))
    )
    title = (definition.easy_title or definition.title).replace("{service}", SERVICES[service]["easy_name"])
    assert page.select_one("h1").get_text(strip=True) == title
    assert SERVICES[service]["name"] not in page.select_one("main").get_text()
