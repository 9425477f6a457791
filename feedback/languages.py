"""The languages respondents can read the surveys and the chat in.

The interface's own words go through Flask-Babel (catalogues in feedback/translations, compiled
.mo files committed beside the .po files); the instruments' wording is translated as data
(surveys/instruments/translations). A language is offered once it has a catalogue. Staff pages
stay in English. A page's language comes from ``?lang=``, which every respondent link keeps.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask import g, request
from flask_babel import Babel

CATALOGUES = Path(__file__).parent / "translations"
RESPONDENT_BLUEPRINTS = {"respondents", "chat"}


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself, as the switcher shows it
    english_name: str
    direction: str = "ltr"


KNOWN = {
    language.code: language
    for language in (
        Language("en", "English", "English"),
        Language("pl", "Polski", "Polish"),
        Language("ur", "اردو", "Urdu", "rtl"),
        Language("pa", "ਪੰਜਾਬੀ", "Punjabi"),
        Language("gu", "ગુજરાતી", "Gujarati"),
        Language("bn", "বাংলা", "Bengali"),
    )
}
ENGLISH = KNOWN["en"]

babel = Babel()


@cache
def offered(catalogues=CATALOGUES):
    """Return the languages with a compiled catalogue, English first."""
    codes = (
        sorted(path.name for path in catalogues.iterdir() if (path / "LC_MESSAGES" / "messages.mo").is_file())
        if catalogues.is_dir()
        else []
    )
    return (ENGLISH, *(KNOWN[code] for code in codes if code in KNOWN))


def chosen(code):
    """Return the offered Language for a code ("pl", "pl-PL"), or English for anything else."""
    code = (code or "").split("-")[0].lower()
    return next((language for language in offered() if language.code == code), ENGLISH)


def select_locale():
    """Pick the page's language: ``?lang=`` on respondents' pages and the chat, else English."""
    if "language" in g:  # the page decided (a survey shows a language only once it is translated)
        return g.language
    if request.blueprint in RESPONDENT_BLUEPRINTS:
        return chosen(request.args.get("lang")).code
    return ENGLISH.code


def init_app(app):
    """Bind Flask-Babel and give every template the page's language and the languages offered."""
    babel.init_app(app, default_translation_directories=str(CATALOGUES), locale_selector=select_locale)

    @app.context_processor
    def language_context():
        language = chosen(select_locale()) if request else ENGLISH
        return {"language": language, "languages": offered()}
