"""The chat widget's JSON API (`/chat/api/v1/...`), the script itself and its demo page.

No cookies: the widget holds a random conversation token and sends it in the path. Cross-origin
calls are answered only for the host sites in FEEDBACK_CHAT_ORIGINS. Errors are JSON with a
stable `error` code and a plain `message`.
"""

import secrets
from pathlib import Path

from flask import Blueprint, current_app, g, jsonify, render_template, request, send_from_directory
from flask_babel import force_locale, get_translations

from bot import dao, storage
from bot.engine import Engine, EngineError, goodbye
from feedback import clock, languages, ratelimit, text
from feedback.db import reading, transaction
from feedback.extensions import csrf
from surveys import dao as survey_dao
from surveys import translations

bp = Blueprint("chat", __name__, url_prefix="/chat")
csrf.exempt(bp)
STATIC = Path(__file__).parent / "static"
API = "/api/v1"
CHAT_RESPONDENTS = {"young_person", "parent_carer"}  # the board quiz is not a chat


def N_(words):
    """Mark words for the catalogue (pybabel extract -k N_) without translating them here."""
    return words


# The widget's own words, sent with the survey (in its language) so the script holds none.
WIDGET_WORDS = (
    N_("Tell us what you think"),
    N_("Read aloud"),
    N_("Close"),
    N_("Messages"),
    N_("You:"),
    N_("Close the chat"),
    N_("Your answer (up to {n} letters)"),
    N_("Send"),
    N_("Please write something, or press Skip."),
    N_("Sorry, we cannot send that just now. Your answers so far are kept."),
    N_("Try again"),
    N_("Something went wrong. Please try again."),
)


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@bp.errorhandler(ApiError)
def api_error(error):
    return jsonify(error=error.code, message=error.message), error.status


def _origin_allowed(origin):
    same = request.host_url.rstrip("/")
    return origin in (same, current_app.config["BASE_URL"].rstrip("/"), *current_app.config["CHAT_ORIGINS"])


@bp.before_request
def guard_api():
    if not request.path.startswith(f"/chat{API}"):
        return None
    origin = request.headers.get("Origin")
    if origin and not _origin_allowed(origin):
        return jsonify(error="origin_not_allowed", message="This site is not allowed to use the chat."), 403
    if request.method != "OPTIONS" and ratelimit.over_limit("chat", "RATE_LIMIT_CHAT"):
        return jsonify(error="rate_limited", message="Too many messages. Please wait a minute."), 429
    return None


@bp.after_request
def cors_headers(response):
    origin = request.headers.get("Origin")
    if request.path.startswith(f"/chat{API}") and origin and _origin_allowed(origin):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
        response.headers["Vary"] = "Origin"
    if request.path.startswith(f"/chat{API}"):
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/widget.js")
def widget():
    """The script a host page embeds with one tag."""
    response = send_from_directory(STATIC, "widget.js", mimetype="text/javascript", max_age=300)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/demo")
def demo():
    """A mock Local Offer page about a service, with the widget embedded asking about that service
    (``?service=`` and ``?survey=`` change which; short breaks by default)."""
    survey = request.args.get("survey", "break-time-young-person")
    chat_language = request.args.get("lang")
    g.language = languages.ENGLISH.code  # the host page is in English; ?lang= is the chat's
    with reading() as session:
        service = survey_dao.service(session, request.args.get("service", "break-time"))
        if service is None:
            raise ApiError(404, "unknown_service", "There is no service with that name.")
        try:  # the page carries what the widget would fetch, so its launcher needs no request
            start = _survey_info(session, survey, service.slug, chat_language)
        except ApiError:
            start = None  # the widget asks, and says in the console why it is not shown
    return render_template(
        "bot/demo.html", survey=survey, service=service, chat_language=chat_language, start=start
    )


def _body(allowed):
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json", "Send a JSON object.")
    extra = set(data) - allowed
    if extra:
        raise ApiError(400, "unexpected_field", f"Unexpected field: {sorted(extra)[0]}.")
    if any(text.unstorable(value) for value in data.values()):
        raise ApiError(
            400, "bad_text", "Your message has a character we cannot keep. Please type it again without it."
        )
    return data


def _words(code):
    """Return the interface catalogue (gettext/ngettext) of a language."""
    with force_locale(code):
        return get_translations()


def _engine(session, instrument_slug=None, service_slug=None, instrument=None, lang=None):
    """Return the instrument, the service and an Engine speaking the language asked for, if the
    survey is translated into it (English otherwise)."""
    instrument = instrument or survey_dao.latest_instrument(session, instrument_slug or "")
    if instrument is None or instrument.respondent_type not in CHAT_RESPONDENTS:
        raise ApiError(404, "unknown_survey", "There is no chat survey with that name.")
    service = survey_dao.service(session, service_slug)
    if service is None:
        raise ApiError(404, "unknown_service", "There is no service with that name.")
    definition = survey_dao.definition_of(instrument)
    language = next(
        (found for found in translations.available(definition, languages.offered()) if found.code == lang),
        languages.ENGLISH,
    )
    translation = None if language is languages.ENGLISH else translations.shipped()[language.code]
    say = translation.say if translation else str
    engine = Engine(
        translations.translate(definition, translation),
        say(service.easy_name or service.name),
        say(service.contact) if service.contact else None,
        words=_words(language.code),
    )
    return instrument, service, engine, language


def _survey_info(session, slug, service_slug, lang):
    """Return what the widget needs before the panel opens: the survey, the service, the
    language, the widget's words, and the first turn (``first``), so that opening the panel
    shows the first question at once while the conversation is started behind it."""
    instrument = survey_dao.latest_instrument(session, slug)
    service_slug = service_slug or (
        survey_dao.definition_of(instrument).default_service if instrument else None
    )
    instrument, service, engine, language = _engine(session, slug, service_slug, instrument, lang)
    _, first = engine.start()
    return {
        "survey": slug,
        "version": instrument.version,
        "title": engine.definition.title.replace("{service}", engine.service_name),
        "service": service.slug,
        "service_name": engine.service_name,
        "lang": language.code,
        "dir": language.direction,
        "ui": {words: engine.words.gettext(words) for words in WIDGET_WORDS},
        "first": first.as_dict(),
    }


@bp.get(f"{API}/surveys/<slug>")
def survey_info(slug):
    """Say whether a survey and service exist, so the widget shows its launcher only if so."""
    with reading() as session:
        info = _survey_info(session, slug, request.args.get("service"), request.args.get("lang"))
    return jsonify(info)


@bp.post(f"{API}/conversations")
def start():
    """Start a conversation; the token returned is how the widget continues it."""
    data = _body({"survey", "service", "lang"})
    token, now = secrets.token_urlsafe(24), clock.now()
    with transaction() as session:
        instrument = survey_dao.latest_instrument(session, str(data.get("survey", "")))
        service_slug = data.get("service") or (
            survey_dao.definition_of(instrument).default_service if instrument else None
        )
        instrument, service, engine, language = _engine(
            session, instrument=instrument, service_slug=str(service_slug or ""), lang=data.get("lang")
        )
        state, turn = engine.start()
        state["lang"] = language.code  # the whole conversation stays in this language
        dao.add_conversation(session, token, instrument.id, service.slug, state, now)
    return jsonify(conversation=token, **turn.as_dict()), 201


def _conversation(session, token):
    if not (isinstance(token, str) and 20 <= len(token) <= 64):
        raise ApiError(404, "unknown_conversation", "This chat has ended. Please start again.")
    row = dao.live_conversation(session, token, clock.now(), current_app.config["CHAT_RESUME_MINUTES"])
    if row is None:
        raise ApiError(404, "unknown_conversation", "This chat has ended. Please start again.")
    instrument = dao.instrument_of(session, row)
    _, _, engine, _ = _engine(
        session,
        service_slug=row.service_slug,
        instrument=instrument,
        lang=storage.parse_state(row).get("lang"),
    )
    return row, engine


@bp.get(f"{API}/conversations/<token>")
def resume(token):
    """Show again the question a conversation is waiting on (after the person comes back)."""
    with reading() as session:
        row, engine = _conversation(session, token)
        turn = engine.current(storage.parse_state(row))
    return jsonify(conversation=token, **turn.as_dict())


@bp.post(f"{API}/conversations/<token>/answers")
def answer(token):
    """Take one answer; when the last question is answered, store the response."""
    data = _body({"turn", "choice", "text", "skip"})
    turn_number = data.pop("turn", None)
    if not isinstance(turn_number, int) or isinstance(turn_number, bool):
        raise ApiError(400, "bad_turn", "Say which turn this answer is for.")
    now = clock.now()
    with transaction() as session:
        if _already_stored(session, token):
            # The same last answer sent twice (a double tap, a retry): answer as the first did.
            words = _words(languages.chosen(request.args.get("lang")).code)
            return jsonify(conversation=token, **goodbye(turn_number + 1, words).as_dict())
        row, engine = _conversation(session, token)
        try:
            state, turn = engine.reply(storage.parse_state(row), turn_number, data)
        except EngineError as error:
            status = 409 if error.code in ("out_of_order", "finished") else 400
            raise ApiError(status, error.code, str(error)) from None
        if state["finished"]:
            storage.store_conversation(session, row, state, now, partial=False)
        elif not dao.advance(session, row, state, now):
            raise ApiError(409, "out_of_order", "That answer is for an earlier question.")
    return jsonify(conversation=token, **turn.as_dict())


def _already_stored(session, token):
    """Return whether this conversation has been stored as a response (its id is the key)."""
    if not (isinstance(token, str) and 20 <= len(token) <= 64):
        return False
    return survey_dao.submission_exists(session, storage.submission_id(dao.conversation_id(token)))


@bp.post(f"{API}/conversations/<token>/leave")
def leave(token):
    """End a conversation early; what was answered is kept, marked partial."""
    with transaction() as session:
        row, _ = _conversation(session, token)
        stored = storage.store_conversation(session, row, storage.parse_state(row), clock.now(), partial=True)
    return jsonify(stored=stored)
