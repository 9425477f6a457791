"""The respondents' pages: open survey links, single-use invitations, thanks."""

import logging
from dataclasses import dataclass

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from feedback import clock, languages, ratelimit
from feedback.db import reading, transaction
from feedback.errors import render_error
from feedback.health import DATABASE_ERRORS, database_unavailable
from feedback.waitlist import links as letter_links
from feedback.waitlist import tracker
from surveys import collect, dao, opt_out, page_parts, tokens, translations
from surveys.forms import build_form_class, new_form

bp = Blueprint("respondents", __name__)
log = logging.getLogger(__name__)


# Posts of answers are counted in the answer's own write transaction (see _store): one turn at
# the database's writer, not two. A post to any other page, or one that stores nothing (a form
# with a mistake, a link that cannot be used), is counted on its own.
ANSWER_PAGES = {"respondents.open_survey", "respondents.invitation"}


@bp.before_request
def limit_submissions():
    """Refuse a client that posts answers faster than any person could."""
    if request.method != "POST":
        return None
    if request.endpoint in ANSWER_PAGES:
        g.post_uncounted = True  # counted with its answer, or else after it (count_other_posts)
        return None
    return ratelimit.limit_page("survey", "RATE_LIMIT_SURVEY")


@bp.after_request
def count_other_posts(response):
    """Count a post to a survey page that stored no answer; refuse it if over the limit."""
    if not g.pop("post_uncounted", False) or response.status_code == 503:
        return response  # counted with its answer, or the database is down: nothing to count in
    try:
        over = ratelimit.over_limit("survey", "RATE_LIMIT_SURVEY")
    except DATABASE_ERRORS as error:
        return database_unavailable(error)
    return render_error(429) if over else response


@dataclass
class SurveyPage:
    """Everything a survey page needs: what is asked, of whom, and where the answer counts."""

    instrument: object
    definition: object
    service: object
    district: object
    easy_read: bool
    kiosk: bool
    invitation: object = None
    letter: tuple | None = None  # (pathway, number) of the waiting-list letter linked from
    language: languages.Language = languages.ENGLISH
    translation: translations.Translation | None = None
    languages: tuple = (languages.ENGLISH,)  # those this survey can be read in

    @property
    def channel(self):
        return "kiosk" if self.kiosk else "form"

    @property
    def service_name(self):
        """Return the service's name as this page says it: the easy name in easy read, translated."""
        name = (self.service.easy_name or self.service.name) if self.easy_read else self.service.name
        return self.translation.say(name) if self.translation else name

    @property
    def title(self):
        """Return the survey's title with the service's name in it."""
        definition = self.definition
        title = (definition.easy_title or definition.title) if self.easy_read else definition.title
        return title.replace("{service}", self.service_name)

    def link_args(self, **changes):
        """Return the query arguments that keep this page's service, district and mode."""
        args = {"service": self.service.slug}
        if self.district:
            args["district"] = self.district.slug
        if self.kiosk:
            args["mode"] = "kiosk"
        if self.easy_read and not self.definition.easy_read_only:
            args["easy"] = "1"
        if self.letter:
            args["pathway"], args["letter"] = self.letter
        if self.language is not languages.ENGLISH:
            args["lang"] = self.language.code
        args.update(changes)
        return {k: v for k, v in args.items() if v}


class UnknownPart(Exception):
    """A survey link naming a survey, service or district that does not exist."""

    def __init__(self, part, value):
        super().__init__(part)
        self.part, self.value = part, value


@bp.errorhandler(UnknownPart)
def unknown_part(error):
    """Say which part of a link is wrong, in plain words."""
    shown = error.value if len(error.value) <= 40 else error.value[:40] + "…"
    heading = (
        f"There is no {error.part} called “{shown}”" if shown else f"This link does not name a {error.part}"
    )
    return render_error(
        404,
        heading,
        f"The link names a {error.part} we do not know. If you typed it, check the "
        "spelling; if you followed a link or scanned a code, it may be out of date.",
    )


def _page_from_query(slug, args, fresh):
    """Load an open survey's page from its address's query: service, district, easy, mode."""
    return _load_page(
        slug,
        args.get("service"),
        args.get("district"),
        args.get("easy") == "1",
        args.get("mode") == "kiosk",
        fresh=fresh,
    )


def _load_page(slug, service_slug, district_slug, easy_read, kiosk, invitation=None, fresh=True):
    found = page_parts.parts(slug, service_slug, district_slug, fresh)
    if found.instrument is None:
        raise UnknownPart("survey", slug)
    if found.service is None:
        raise UnknownPart("service", service_slug or "")
    if district_slug and found.district is None:
        raise UnknownPart("district", district_slug)
    definition = found.definition
    easy_read = easy_read or definition.easy_read_only
    page = SurveyPage(
        found.instrument, definition, found.service, found.district, easy_read, kiosk, invitation
    )
    return _in_language(page, request.args.get("lang"))


def _in_language(page, code):
    """Put the page in the language asked for, if its survey has been translated into it."""
    page.languages = translations.available(page.definition, languages.offered())
    page.language = next(
        (language for language in page.languages if language.code == code), languages.ENGLISH
    )
    g.language = page.language.code  # the interface's words follow the questions' language
    if page.language is not languages.ENGLISH:
        page.translation = translations.shipped()[page.language.code]
        page.definition = translations.translate(page.definition, page.translation)
    return page


@bp.route("/s/<slug>", methods=["GET", "POST"])
def open_survey(slug):
    """An open survey link, as printed on a poster's QR code."""
    args = request.args
    page = _page_from_query(slug, args, fresh=request.method == "GET")  # a post reuses what its page read
    page.letter = _letter(args)
    return _answer(page)


def _letter(args):
    """Return (pathway, number) of the waiting-list letter a link came from, or None: only these
    two, never who the family is (see feedback.waitlist.public)."""
    pathway, number = args.get("pathway"), args.get("letter")
    if pathway is None and number is None:
        return None
    if pathway not in tracker.policy().pathways:
        raise UnknownPart("pathway", pathway or "")
    if letter_links.letter_number(number) is None:
        raise UnknownPart("letter", number or "")
    return pathway, letter_links.letter_number(number)


@bp.route("/i/<token>", methods=["GET", "POST"])
def invitation(token):
    """A single-use invitation link, as sent by text message or printed on a card."""
    if ratelimit.over_limit("token-miss-check", "RATE_LIMIT_TOKEN_MISSES", count=False):
        log.warning("invitation link guessing: a client was refused after repeated unknown links")
        return render_error(429)
    with reading() as session:
        invite = (
            dao.invitation_by_hash(session, tokens.hash_token(token)) if tokens.well_formed(token) else None
        )
        if invite is None:
            ratelimit.over_limit("token-miss-check", "RATE_LIMIT_TOKEN_MISSES")  # count the miss
            return _link_cannot_be_used()
    page = _load_page(
        invite.instrument_slug,
        invite.service_slug,
        invite.district_slug,
        request.args.get("easy") == "1",
        False,
        invite,
        fresh=request.method == "GET",
    )
    status = tokens.state(invite, clock.now())
    if status != "open" and request.method == "GET":
        return _link_cannot_be_used()
    return _answer(page, token=token)


def _link_cannot_be_used():
    """One plain page, with one status, for a used, expired, malformed or unknown link: it does not
    tell a guesser which links exist, and it tells a parent who already answered that it counted."""
    return render_error(
        404,
        "You have already answered, or this link has expired",
        "Each survey link works once, for a limited time after an appointment. "
        "If you have already answered, thank you: your answers were saved. "
        "You do not need to do anything else.",
    )


def _answer(page, token=None):
    form_class = build_form_class(page.definition, page.easy_read, page.service_name, page.language.code)
    form = new_form(form_class)
    if form.validate_on_submit():
        outcome = _store(page, form)
        if outcome == "refused":
            return render_error(429)
        if outcome in ("expired", "used"):
            return _link_cannot_be_used()
        return redirect(url_for(".thanks", slug=page.definition.slug, **page.link_args()), 303)
    response = current_app.make_response(
        render_template(
            "surveys/form.html",
            page=page,
            form=form,
            action=_page_url(page, token),
            switch_url=_switch_url(page, token),
            stop_url=_stop_url(page, token),
            page_url=lambda **changes: _page_url(page, token, **changes),
        )
    )
    if page.kiosk:
        response.headers["Cache-Control"] = "no-store"
    return response


def _page_url(page, token, **changes):
    """Return this survey page's own address, keeping its service, district and mode."""
    args = page.link_args(**changes)
    if token:
        return url_for(".invitation", token=token, easy=args.get("easy"), lang=args.get("lang"))
    return url_for(".open_survey", slug=page.definition.slug, **args)


def _stop_url(page, token):
    """Return the "stop these messages" link for a link that came by text message or email."""
    if token and page.invitation is not None and page.invitation.delivery is not None:
        return url_for(".stop_messages", token=token)
    return None


# A link that came by text message or email can stop the messages (surveys.opt_out).
bp.add_url_rule("/i/<token>/stop", view_func=opt_out.stop_messages, methods=["GET", "POST"])


def _switch_url(page, token):
    """Return the link to the other reading level, or None if there is only one."""
    if page.definition.easy_read_only:
        return None
    return _page_url(page, token, easy="" if page.easy_read else "1")


def _store(page, form):
    now = clock.now()
    if page.invitation is not None and tokens.state(page.invitation, now) == "expired":
        return "expired"
    submission = collect.Submission(
        instrument_id=page.instrument.id,
        instrument_version=page.instrument.version,
        service_slug=page.service.slug,
        provider_slug=page.service.provider_slug,
        district_slug=page.district.slug if page.district else None,
        channel=page.channel,
        easy_read=page.easy_read,
        invitation_id=page.invitation.id if page.invitation else None,
        appointment_date=page.invitation.appointment_date if page.invitation else None,
        pathway=page.letter[0] if page.letter else None,
        letter_number=page.letter[1] if page.letter else None,
        language=page.language.code,
    )
    data = {field.name: field.data for field in form.question_fields()}
    try:
        with transaction() as session:
            if not ratelimit.within_limit_in(session, "survey", "RATE_LIMIT_SURVEY"):
                outcome = "refused"
            else:
                outcome = collect.store(
                    session, page.definition, submission, form.submission_id.data, data, now
                )
        g.post_uncounted = False  # counted, in the transaction just committed
    except IntegrityError:
        outcome = "duplicate"  # a concurrent retry of the same submission got there first
    if outcome == "used":
        with reading() as session:
            if dao.submission_exists(session, form.submission_id.data):
                return "duplicate"
    return outcome


@bp.get("/s/<slug>/thanks")
def thanks(slug):
    """Thank the person; in kiosk mode, return to a fresh form for the next one.

    This page is only reached after an answer was stored, so it says so even when the database
    has gone down since: it then leaves out the service's name rather than fail.
    """
    args = request.args
    try:
        page = _page_from_query(slug, args, fresh=False)
    except DATABASE_ERRORS:
        page = None
    restart = url_for(".open_survey", slug=slug, **page.link_args()) if page and page.kiosk else None
    response = current_app.make_response(
        render_template(
            "surveys/thanks.html",
            page=page,
            easy_read=page.easy_read if page else args.get("easy") == "1",
            restart=restart,
            reset_seconds=current_app.config["KIOSK_RESET_SECONDS"],
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response
