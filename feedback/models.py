"""Tables. Respondents are anonymous: nothing here identifies the person who answered."""

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from feedback import clock


def utcnow():
    """Return the current time in UTC (from the one clock; a column default needs a callable)."""
    return clock.now()


class Provider(SQLModel, table=True):
    slug: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)


class District(SQLModel, table=True):
    slug: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)


class Service(SQLModel, table=True):
    slug: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)
    provider_slug: str | None = Field(default=None, foreign_key="provider.slug", max_length=40)
    contact: str | None = Field(default=None, max_length=300)
    easy_name: str | None = Field(default=None, max_length=100)  # how the chat names it


class Instrument(SQLModel, table=True):
    """One version of a survey instrument; wording changes make a new row."""

    __table_args__ = (UniqueConstraint("slug", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, index=True)
    version: int
    title: str = Field(max_length=200)
    respondent_type: str = Field(max_length=40)
    content_hash: str = Field(max_length=64)
    definition: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON
    loaded_at: datetime = Field(default_factory=utcnow)


class Response(SQLModel, table=True):
    """One submitted survey, with the dimensions every KPI breaks down by."""

    __table_args__ = (
        Index("ix_response_month_instrument", "month", "instrument_slug"),
        # The responses the KPI rebuild has not counted yet, by month and id (a few since the
        # last run; the id lets a month's first count take its batches in order).
        Index(
            "ix_response_uncounted",
            "month",
            "id",
            sqlite_where=text("NOT counted"),
            postgresql_where=text("NOT counted"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    submission_id: str = Field(max_length=36, unique=True)
    instrument_id: int = Field(foreign_key="instrument.id")
    instrument_slug: str = Field(max_length=60)
    instrument_version: int
    channel: str = Field(max_length=10)  # form, kiosk, chat, api
    invited: bool = False
    easy_read: bool = False
    service_slug: str = Field(foreign_key="service.slug", max_length=40)
    provider_slug: str | None = Field(default=None, foreign_key="provider.slug", max_length=40)
    district_slug: str | None = Field(default=None, foreign_key="district.slug", max_length=40)
    respondent_type: str = Field(max_length=40)
    month: date  # first day of the month the answer counts in
    submitted_at: datetime = Field(default_factory=utcnow)
    partial: bool = False
    score: int | None = None  # percent correct, for scored instruments (the board quiz)
    # From a waiting-list letter's short link (/l/<pathway>-<letter>-<district>): which letter the
    # family had received, never who they are, so APP 3.3 can be broken down by letter.
    pathway: str | None = Field(default=None, max_length=20)
    letter_number: int | None = None
    # The language the questions were read in ("en", "pl", "ur", ...); it does not change what an
    # answer counts as: every language stores the same option codes.
    language: str = Field(default="en", max_length=8, sa_column_kwargs={"server_default": "en"})
    # Whether the KPI rebuild has added this response and its answers to the month's tallies.
    # Anything that deletes or changes responses must forget the month's counts
    # (analysis.dao.forget_counts, or `feedback kpis recount`), as the demo's clearing does.
    counted: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})


class Answer(SQLModel, table=True):
    """A choice made for one question: the option's code on the standard scale."""

    __table_args__ = (Index("ix_answer_question", "question_key", "value"),)

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="response.id", index=True)
    question_key: str = Field(max_length=60)
    value: str = Field(max_length=40)


class Comment(SQLModel, table=True):
    """Free text, kept apart from ratings so it can be redacted or purged on its own."""

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="response.id", index=True)
    question_key: str = Field(max_length=60)
    text: str = Field(sa_column=Column(Text, nullable=False))
    polarity: float
    created_at: datetime = Field(default_factory=utcnow)
    flagged: bool = False  # words suggesting risk of harm: safeguarding lead reviews it first
    help_shown: bool = False  # the chat showed where to get help now
    # Triage (analysis.triage): new, reviewed or acted_on, and the service that owns it when it
    # is not the one answered about.
    state: str = Field(default="new", max_length=12, index=True, sa_column_kwargs={"server_default": "new"})
    owner_service_slug: str | None = Field(default=None, foreign_key="service.slug", max_length=40)
    codebook: str | None = Field(default=None, max_length=16)  # version of the codebook that themed it


class CommentTheme(SQLModel, table=True):
    """A theme of a comment: from the codebook or a member of staff; a removal is kept, not deleted."""

    __tablename__ = "comment_theme"

    comment_id: int = Field(foreign_key="comment.id", primary_key=True, ondelete="CASCADE")
    theme: str = Field(primary_key=True, max_length=40, index=True)
    added_by: str = Field(max_length=254)  # "codebook" or the member of staff
    added_at: datetime = Field(default_factory=utcnow)
    removed_by: str | None = Field(default=None, max_length=254)
    removed_at: datetime | None = None


class Invitation(SQLModel, table=True):
    """A single-use survey link. Tied to a survey, service and appointment, never to a person."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    instrument_slug: str = Field(max_length=60, index=True)
    service_slug: str = Field(foreign_key="service.slug", max_length=40)
    district_slug: str | None = Field(default=None, foreign_key="district.slug", max_length=40)
    appointment_date: date | None = None
    month: date | None = Field(default=None, index=True)  # the month it counts in (response rate)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    # Only whether it was used: no time is kept that could match it to a response.
    used: bool = False
    # Sent by text message or email (surveys.sending): "pending" until GOV.UK Notify reports, then
    # "delivered" or "failed". None for a link handed over on a card or in a CSV. The response rate
    # counts handed-over and delivered links.
    delivery: str | None = Field(default=None, max_length=12)


class PlanRow(SQLModel, table=True):
    """An improvement plan whose KPIs are tracked (loaded from analysis/kpis)."""

    __tablename__ = "plan"

    slug: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)
    start: date
    amber_margin: float = 5
    position: int = 0


class KpiRow(SQLModel, table=True):
    """One KPI of a plan, its definition kept as JSON."""

    __tablename__ = "kpi"
    __table_args__ = (UniqueConstraint("plan_slug", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_slug: str = Field(foreign_key="plan.slug", max_length=40)
    ref: str = Field(max_length=40)
    position: int = 0
    definition: str = Field(sa_column=Column(Text, nullable=False))


class KpiSnapshot(SQLModel, table=True):
    """A month's counts for one KPI and scope. Rebuilt whole, a month at a time."""

    __tablename__ = "kpi_snapshot"
    __table_args__ = (
        UniqueConstraint("plan_slug", "ref", "month", "scope_type", "scope_key"),
        Index("ix_kpi_snapshot_month", "month", "scope_type"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_slug: str = Field(max_length=40)
    ref: str = Field(max_length=40)
    month: date
    scope_type: str = Field(max_length=10)  # all, service, provider, district
    scope_key: str = Field(max_length=40)  # "all" or a slug
    numerator: int
    denominator: int
    # Reductions (CIP 5.2): the baseline figure the month is compared with; None for shares.
    base: float | None = None
    computed_at: datetime = Field(default_factory=utcnow)


class MonthTally(SQLModel, table=True):
    """How many of a month's responses its tallies hold: a month holding fewer counted responses
    than that lost some (deleted, or their flags reset by hand) and is counted afresh."""

    __tablename__ = "month_tally"

    month: date = Field(primary_key=True)
    responses: int


class AnswerTally(SQLModel, table=True):
    """How many counted answers of a month had one value for one question in one place: the
    month's answers grouped once, then added to as new ones come (``Response.counted``)."""

    __tablename__ = "answer_tally"

    id: int | None = Field(default=None, primary_key=True)
    month: date = Field(index=True)
    instrument_slug: str = Field(max_length=60)
    question_key: str = Field(max_length=60)
    value: str = Field(max_length=40)
    service_slug: str = Field(max_length=40)
    provider_slug: str | None = Field(default=None, max_length=40)
    district_slug: str | None = Field(default=None, max_length=40)
    letter_number: int | None = None
    count: int


class ResponseTally(SQLModel, table=True):
    """How many counted responses of a month had one score and invitation flag in one place."""

    __tablename__ = "response_tally"

    id: int | None = Field(default=None, primary_key=True)
    month: date = Field(index=True)
    instrument_slug: str = Field(max_length=60)
    score: int | None = None
    invited: bool
    service_slug: str = Field(max_length=40)
    provider_slug: str | None = Field(default=None, max_length=40)
    district_slug: str | None = Field(default=None, max_length=40)
    count: int


class KpiManualValue(SQLModel, table=True):
    """A monthly value entered by hand for a KPI not answered through surveys."""

    __tablename__ = "kpi_manual_value"
    __table_args__ = (UniqueConstraint("plan_slug", "ref", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_slug: str = Field(max_length=40)
    ref: str = Field(max_length=40)
    month: date
    value: float
    entered_by: str = Field(max_length=200)
    entered_at: datetime = Field(default_factory=utcnow)
    note: str | None = Field(default=None, max_length=500)


class MonthlyReport(SQLModel, table=True):
    """The board report for a finished month, written by the monthly job."""

    __tablename__ = "monthly_report"

    month: date = Field(primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    html: str = Field(sa_column=Column(Text, nullable=False))


class JobRun(SQLModel, table=True):
    """One run of a scheduled job; the unique key makes a run happen once across processes."""

    __tablename__ = "job_run"
    __table_args__ = (
        UniqueConstraint("job_id", "run_key"),
        Index("ix_job_run_job_started", "job_id", "started_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=60)
    run_key: str = Field(max_length=40)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    status: str = Field(default="running", max_length=20)
    detail: str | None = Field(default=None, max_length=500)
    attempts: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # in a row, this key
    owner: str | None = Field(default=None, max_length=120)  # host:pid of the process running it
    retry_at: datetime | None = None  # a failed run is tried again from then


class SchedulerHeartbeat(SQLModel, table=True):
    """When the scheduler process last said it was alive (one row)."""

    __tablename__ = "scheduler_heartbeat"

    id: int = Field(default=1, primary_key=True)
    beat_at: datetime
    owner: str = Field(max_length=120)


class StaffUser(SQLModel, table=True):
    """A member of staff who can sign in to the dashboard."""

    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=300)
    role: str = Field(max_length=30)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    # The second factor (TOTP): the shared secret once confirmed, and the last time step used
    # so that a code cannot be replayed. Secrets are encrypted (feedback.second_factor).
    totp_secret: str | None = Field(default=None, max_length=300)
    totp_last_step: int | None = None
    # A secret made for enrolment, kept here (encrypted) until a code confirms it.
    totp_pending: str | None = Field(default=None, max_length=300)
    totp_pending_at: datetime | None = None
    # Every session carries the version it started with; raising it ends them all.
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class RateWindow(SQLModel, table=True):
    """Requests counted in one fixed window for one client or account, shared by every worker.

    The key is an HMAC of the bucket and the client's address or account, never the address
    itself, and rows are deleted once their window is long past.
    """

    __tablename__ = "rate_window"

    key_hash: str = Field(primary_key=True, max_length=64)
    minute: int = Field(primary_key=True, index=True)  # minutes since 1970
    hits: int = 0


class SignInFailure(SQLModel, table=True):
    """Failed passwords and codes in a row for one email address (an HMAC of it, so unknown
    addresses are slowed and locked exactly as known ones are)."""

    __tablename__ = "sign_in_failure"

    key_hash: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    last_failed_at: datetime
    locked_at: datetime | None = None  # locked until an administrator unlocks it


class StaffService(SQLModel, table=True):
    """A service whose results and comments a member of service staff may see."""

    __tablename__ = "staff_service"

    staff_user_id: int = Field(foreign_key="staff_user.id", primary_key=True, ondelete="CASCADE")
    service_slug: str = Field(foreign_key="service.slug", primary_key=True, max_length=40)


class ChatConversation(SQLModel, table=True):
    """A chat in progress: the answers so far, never a transcript. Gone once stored or stale."""

    __tablename__ = "chat_conversation"

    id: str = Field(primary_key=True, max_length=64)  # SHA-256 of the token the widget holds
    instrument_id: int = Field(foreign_key="instrument.id")
    service_slug: str = Field(foreign_key="service.slug", max_length=40)
    state: str = Field(sa_column=Column(Text, nullable=False))  # the engine's state as JSON
    started_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)
    # A stale chat that could not be stored is kept aside (and logged), so the others still are.
    set_aside: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})


class WaitingListEntry(SQLModel, table=True):
    """A child on an assessment waiting list. Personal data is one encrypted blob."""

    __tablename__ = "waiting_list_entry"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=40, unique=True)  # the provider's local reference
    pathway: str = Field(max_length=20, index=True)
    district_slug: str | None = Field(default=None, foreign_key="district.slug", max_length=40)
    referral_date: date
    first_appointment: date | None = None
    discharged_on: date | None = None
    support_offered_on: date | None = None
    support_taken_up_on: date | None = None
    # The letter formats the family asked for: 16 pt large print, and the easy-read version.
    large_print: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    easy_read: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    personal: str = Field(sa_column=Column(Text, nullable=False))  # Fernet token of JSON
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # When the first letter after the last one sent falls due (None: no letter left), worked out
    # under the letter policy whose fingerprint is `letters_policy`: the letters due are found by
    # a query on it. Empty or another policy's: out of date, worked out afresh (waitlist.tracker).
    next_letter_due: date | None = Field(default=None, index=True)
    letters_policy: str | None = Field(default=None, max_length=16)


class Letter(SQLModel, table=True):
    """A waiting-list letter that was sent: the sequence number is unique per entry."""

    __tablename__ = "letter"
    __table_args__ = (UniqueConstraint("entry_id", "sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="waiting_list_entry.id", index=True)
    sequence: int
    letter_type: str = Field(max_length=30)
    due_on: date
    sent_on: date
    sent_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow)
    returned_on: date | None = None
    notify_id: str | None = Field(default=None, max_length=36)  # GOV.UK Notify's id, when sent through it
    notify_status: str | None = Field(default=None, max_length=30)
    notify_checked_at: datetime | None = None


class ApiToken(SQLModel, table=True):
    """A read-only API token for a BI tool: only its SHA-256 is kept; it acts with a staff role."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    role: str = Field(max_length=20)
    services: str | None = Field(default=None, max_length=400)  # service staff: "camhs,salt"
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(max_length=200)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class AuditEvent(SQLModel, table=True):
    """Who did what, when: sign-ins, views and prints of personal data, exports, changes.

    Append-only in the application. Holds references, never the personal data itself.
    """

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=254)
    action: str = Field(max_length=40)
    subject: str | None = Field(default=None, max_length=100)
    detail: str | None = Field(default=None, max_length=300)


class Appointment(SQLModel, table=True):
    """An appointment whose family is asked for feedback by text message or email.

    The contact details (and the link sent) are one encrypted blob, erased once the last message
    is sent or 14 days after the appointment. The appointment's own id is kept only as a keyed
    hash, so a second import of it changes nothing.
    """

    __tablename__ = "appointment"
    __table_args__ = (Index("ix_appointment_stage_next", "stage", "next_at"),)

    id: int | None = Field(default=None, primary_key=True)
    source_key: str = Field(max_length=64, unique=True)  # HMAC of the service and the system's id
    service_slug: str = Field(foreign_key="service.slug", max_length=40)
    district_slug: str | None = Field(default=None, foreign_key="district.slug", max_length=40)
    instrument_slug: str = Field(max_length=60)
    respondent_type: str = Field(max_length=40)
    language: str = Field(default="en", max_length=10)
    appointment_at: datetime
    channel: str = Field(max_length=5)  # sms or email
    contact: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # Fernet token
    # waiting (to invite), sending, invited (a reminder may follow), done; next_at: when the
    # sending job looks at it again.
    stage: str = Field(default="waiting", max_length=10)
    next_at: datetime | None = None
    invitation_id: int | None = Field(default=None, foreign_key="invitation.id")
    created_at: datetime = Field(default_factory=utcnow)
    erased_at: datetime | None = None


class InvitationMessage(SQLModel, table=True):
    """A text message or email sent through GOV.UK Notify for one appointment: the invitation, and
    at most one reminder (unique), so no appointment is ever sent the same message twice."""

    __tablename__ = "invitation_message"
    __table_args__ = (
        UniqueConstraint("appointment_id", "kind"),
        Index("ix_invitation_message_status", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    appointment_id: int = Field(foreign_key="appointment.id")
    kind: str = Field(max_length=10)  # invitation or reminder
    channel: str = Field(max_length=5)
    # sending (claimed), retry, sent (accepted by Notify), delivered, temporary-failure,
    # permanent-failure, technical-failure, refused (by Notify, with its reason)
    status: str = Field(default="sending", max_length=20)
    notify_id: str | None = Field(default=None, max_length=36, index=True)
    reason: str | None = Field(default=None, max_length=300)
    attempts: int = 0
    claimed_at: datetime = Field(default_factory=utcnow)
    retry_at: datetime | None = None
    sent_at: datetime | None = None
    status_at: datetime | None = None


class DoNotContact(SQLModel, table=True):
    """A mobile number or email address that asked for no more messages: only a keyed hash of it."""

    __tablename__ = "do_not_contact"

    key_hash: str = Field(primary_key=True, max_length=64)
    source: str = Field(max_length=10)  # link (the survey page), stop (a reply), import
    added_at: datetime = Field(default_factory=utcnow)


class ActionTaken(SQLModel, table=True):
    """ "You said, we did": what was done about a theme in a service; public once a lead approves it."""

    __tablename__ = "action_taken"

    id: int | None = Field(default=None, primary_key=True)
    service_slug: str = Field(foreign_key="service.slug", max_length=40)
    theme: str = Field(max_length=40)
    comment_id: int | None = Field(default=None, foreign_key="comment.id", ondelete="SET NULL")
    you_said: str = Field(sa_column=Column(Text, nullable=False))
    comments_behind: int
    we_did: str = Field(sa_column=Column(Text, nullable=False))
    easy_you_said: str = Field(sa_column=Column(Text, nullable=False))
    easy_we_did: str = Field(sa_column=Column(Text, nullable=False))
    changed_on: date
    kpi_plan: str | None = Field(default=None, max_length=40)
    kpi_ref: str | None = Field(default=None, max_length=40)
    status: str = Field(default="draft", max_length=12, index=True)  # draft, approved, withdrawn
    recorded_by: str = Field(max_length=254)
    recorded_at: datetime = Field(default_factory=utcnow)
    approved_by: str | None = Field(default=None, max_length=254)
    approved_at: datetime | None = None


class GroupDigest(SQLModel, table=True):
    """A delivery group's monthly digest, stored as a page (rebuilt whole by the monthly job)."""

    __tablename__ = "group_digest"

    group_slug: str = Field(primary_key=True, max_length=40)
    month: date = Field(primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    html: str = Field(sa_column=Column(Text, nullable=False))
