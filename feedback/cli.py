"""The ``feedback`` command line."""

import dataclasses
import functools
import itertools
import os
import random
import secrets
import sys
from collections import Counter
from datetime import date

import click
from flask import current_app

from feedback import clock, create_app
from feedback.db import transaction


def in_app(command=None, *, migrated=True):
    """Run a command inside an app context, as every command that touches data does.

    Unless ``migrated`` is False (init, demo), a database that is not set up or is behind the
    code stops the command with what to run; an unreachable one with a plain message.
    """
    if command is None:
        return functools.partial(in_app, migrated=migrated)

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from sqlalchemy.exc import OperationalError

        from feedback import migrate

        app = create_app(BATCH_SETTINGS)
        with app.app_context():
            try:
                if migrated:
                    problem = migrate.problem(app.extensions["feedback.engine"])
                    if problem:
                        raise click.ClickException(problem)
                return command(*args, **kwargs)
            except OperationalError as error:
                raise click.ClickException(_database_problem(error)) from None

    return wrapper


def _database_problem(error):
    from feedback.jobs import describe

    return f"The database could not be used ({describe(error)}). Check DATABASE_URL and that it is running."


# Commands and the scheduler run long transactions (imports, rebuilds): the web's short
# statement limit does not apply to them.
BATCH_SETTINGS = {"DB_STATEMENT_TIMEOUT_S": 3600}


@click.group()
def main():
    """Point-of-service feedback, KPIs and waiting-list letters for a SEND partnership."""
    from feedback import logs

    logs.configure()


@main.command()
@in_app(migrated=False)
def init():
    """Create or migrate the database and load instruments, services and KPIs."""
    from feedback.initialise import initialise

    errors = initialise(echo=click.echo)
    if errors:
        click.echo(
            f"{len(errors)} definition file(s) were not loaded; fix them and run init again.", err=True
        )
        sys.exit(1)


@main.command()
@click.option("--responses", default=20_000, show_default=True, help="How many answers to make.")
@click.option("--seed", default=2026, show_default=True, help="Same seed, same year.")
@click.option("--replace", is_flag=True, help="Delete all responses, invitations and the waiting list first.")
@click.option("--new-passwords", is_flag=True, help="Give the demo staff accounts a new password.")
@in_app(migrated=False)
def demo(responses, seed, replace, new_passwords):
    """Initialise, then fill the database with a synthetic year of answers, a waiting list and
    staff accounts, then work out the figures; print what to open."""
    from feedback import demo_dao
    from feedback.initialise import initialise

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("feedback demo makes invented data and accounts: refused in production.")
    click.echo(f"The demo's database, keys and files are in {current_app.instance_path}")
    if initialise(echo=click.echo):
        sys.exit(1)
    _make_secret_key()
    with transaction() as session:
        existing = demo_dao.response_total(session)
        if not existing or replace:
            demo_dao.delete_responses_and_invitations(session)
    if existing and not replace:
        click.echo(
            f"The database already holds {existing} responses; left as it is. "
            "Use --replace to delete them and make a fresh demo year."
        )
    else:
        months = _fill_demo(responses, seed)
        _fill_waiting_list(seed)
        _send_demo_invitations(seed)
        _fill_manual_values(seed, months)
        _work_out_figures(months)
        _close_the_loop(months)
    password = _demo_accounts(new_passwords or replace or not existing)
    _print_links(password)


def _demo_accounts(renew):
    """Make (or give a new password to) the demo's staff accounts; return the password, or None
    when they already exist and keep theirs."""
    from feedback import demo_accounts

    with transaction() as session:
        if demo_accounts.demo_accounts(session) and not renew:
            return None
        password = "-".join(secrets.token_urlsafe(6) for _ in range(3))
        demo_accounts.make(session, password)
    return password


def _fill_manual_values(seed, months):
    """Enter the KPIs a partnership enters by hand (from its case systems), for every month."""
    from analysis import dao as analysis_dao
    from feedback import demo as demo_data

    with transaction() as session:
        values = demo_data.manual_values(random.Random(seed), analysis_dao.plans(session), months)
        for plan, ref, month, value in values:
            analysis_dao.save_manual_value(
                session, plan, ref, month, value, "demo", "invented for the demonstration"
            )
    click.echo(f"Entered {len(values)} invented monthly values for the KPIs entered by hand.")


def _close_the_loop(months):
    """Theme the comments, record the demo's "You said, we did" actions and write the digests."""
    from analysis import loop_demo

    click.echo(f"Closing the loop: {loop_demo.fill(months[-1])}.")


def _work_out_figures(months):
    """Work out every month's KPIs once everything they count (answers, waiting list) is in."""
    from analysis import jobs

    with click.progressbar(months, label="Working out the monthly KPIs") as bar:
        for month in bar:
            jobs.rebuild([month])


def _make_secret_key():
    """Give a demo instance its own random signing key (0600), used by `feedback serve` there."""
    from feedback import instance
    from feedback.config import DEV_SECRET_KEY

    if current_app.config["SECRET_KEY"] != DEV_SECRET_KEY or current_app.config["ENV_NAME"] == "production":
        return
    path = instance.write_secret_key(current_app.instance_path)
    current_app.config["SECRET_KEY"] = path.read_text().strip()
    click.echo(f"Made a signing key for this instance in {path} (set FEEDBACK_SECRET_KEY in production).")


def _fill_demo(count, seed):
    from feedback import demo as demo_data
    from feedback.db import transaction

    rng = random.Random(seed)
    months = demo_data.months_back(clock.today(), 12)
    with transaction() as session:
        instruments, services, districts = demo_data.dimensions(session)
    generated = demo_data.generate(rng, instruments, services, districts, months, count)
    annual_reviews, cache, batch_size = Counter(), {}, 2000
    with click.progressbar(length=count, label="Making a synthetic year of answers") as bar:
        while batch := list(itertools.islice(generated, batch_size)):
            annual_reviews.update(
                row["month"] for row, _, _ in batch if row["instrument_slug"] == "ehcp-annual-review"
            )
            with transaction() as session:
                demo_data.insert_batch(session, batch, cache)
            bar.update(len(batch))
    with transaction() as session:
        demo_data.insert_invitations(session, rng, months, annual_reviews)
    click.echo(f"Stored {count} synthetic responses from {months[0]:%B %Y} to {months[-1]:%B %Y}.")
    return months


def _fill_waiting_list(seed):
    from feedback.waitlist import crypto, dao, sending_demo, tracker
    from feedback.waitlist import demo as waitlist_demo
    from feedback.waitlist import jobs as waitlist_jobs

    if not (current_app.config.get("DATA_KEY") or os.environ.get("FEEDBACK_DATA_KEY")):
        path = crypto.write_local_key(current_app.instance_path)
        click.echo(f"Made a local data key for the demo in {path} (set FEEDBACK_DATA_KEY in production).")
    fernet = crypto.configured_key()
    rng = random.Random(seed)
    today = clock.today()
    rows = waitlist_demo.rows(rng, today)
    # A speech and language therapy list as well, for its 18-week KPI (CIP 5.5).
    rows += [
        dataclasses.replace(row, reference=f"SL{200000 + index}", pathway="salt")
        for index, row in enumerate(
            waitlist_demo.rows(random.Random(seed + 1), today, count=400, weeks=60, capacity=(15, 19))
        )
    ]
    with transaction() as session:
        dao.clear(session)  # a fresh demo list (on --replace, the old one and its letters go)
        dao.save_rows(session, fernet, rows)
        history = waitlist_demo.sent_history(
            rng, [dao.as_schedule_entry(r) for r in rows], tracker.policy(), today
        )
        entries = dao.entries_by_reference(session)
        for reference, letter, sent_on in history:
            dao.record_sent(session, entries[reference], letter, sent_on, "demo")
    waitlist_jobs.store_next_letters()
    click.echo(f"Made an invented waiting list of {len(rows)} families with {len(history)} letters sent.")
    click.echo(sending_demo.send_some(today, fernet))


def _send_demo_invitations(seed):
    """Run the text-message loop once on a local fake of GOV.UK Notify (surveys.sending_demo)."""
    from surveys import sending_demo

    sending_demo.run_loop(seed, click.echo)


def _print_links(password):
    from feedback import demo_accounts

    base = current_app.config["BASE_URL"].rstrip("/")
    click.echo("\nStart the service with `feedback serve`, then open:")
    click.echo(f"  {base}/                                                      start here")
    click.echo(f"  {base}/s/service-experience?service=camhs&district=preston   a survey, as on a poster")
    click.echo(f"  {base}/s/service-experience?service=salt&easy=1               the easy read version")
    click.echo(f"  {base}/s/service-experience?service=physiotherapy&mode=kiosk  kiosk mode for a tablet")
    click.echo(f"  {base}/s/break-time-young-person                              easy read for young people")
    click.echo(f"  {base}/chat/demo                                              the chat widget on a page")
    click.echo(f"  {base}/you-said-we-did                                        what changed (public)")
    click.echo(f"  {base}/dashboard                                              the KPI dashboard (staff)")
    click.echo(f"  {base}/asd                                                    the waiting list (ASD team)")
    click.echo(f"  {base}/dashboard/invitations/sent                             texts sent and answered")
    accounts = ", ".join(demo_accounts.email_for(role) for role, _ in demo_accounts.DEMO_ROLES)
    if password:
        click.echo(f"\nDemo staff accounts, one per role: {accounts}")
        click.echo(f"Their password (shown only now): {password}")
    else:
        click.echo(
            f"\nDemo staff accounts: {accounts} (their password is unchanged; "
            "`feedback demo --new-passwords` gives them a new one)."
        )
    click.echo(
        "Add your own with `feedback users add --email you@example.org --role admin` "
        "(it asks for a password of 12 characters or more)."
    )
    click.echo("Make single-use links with `feedback invite --survey service-experience --service camhs`.")
    click.echo(f"To start again, stop the server and delete {current_app.instance_path}.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    default=lambda: int(os.environ.get("FEEDBACK_PORT", "8000")),
    show_default="8000, or FEEDBACK_PORT",
    type=int,
)
@click.option(
    "--workers",
    default=lambda: int(os.environ.get("FEEDBACK_WORKERS", "2")),
    show_default="2, or FEEDBACK_WORKERS",
    type=click.IntRange(1, 64),
    help="Web worker processes.",
)
@click.option(
    "--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Threads in each worker."
)
def serve(host, port, workers, threads):
    """Serve the web app with a production server (gunicorn, several worker processes).

    Unless FEEDBACK_SCHEDULER=off, one scheduler process runs beside the workers and stops with them.
    """
    from sqlalchemy.exc import OperationalError

    from feedback import migrate, server
    from feedback.instance import key_problem

    app = create_app()
    try:
        with app.app_context():
            behind = migrate.problem(app.extensions["feedback.engine"])
    except OperationalError:
        behind = None  # the database is down: serve anyway, and answer 503 until it is back
        click.echo("The database cannot be reached now; pages will say so until it is back.", err=True)
    if behind:
        raise click.ClickException(behind)
    problem = production_problem(app.config) or key_problem(app.config, host)
    if problem:
        raise click.ClickException(problem)
    app.extensions["feedback.engine"].dispose()  # the workers open their own connections
    supervisor = None
    if app.config["SCHEDULER_ENABLED"]:
        supervisor = server.SchedulerSupervisor([sys.executable, "-m", "feedback", "scheduler"])
        supervisor.start()
        click.echo(
            "Scheduler started in its own process, restarted if it stops "
            "(FEEDBACK_SCHEDULER=off to run it elsewhere)."
        )
    click.echo(f"Serving on http://{host}:{port} with {workers} worker(s) (press Ctrl+C to stop)")
    try:
        server.run(host, port, workers, threads)
    finally:
        if supervisor is not None:
            supervisor.stop()


@main.command("scheduler")
def scheduler_command():
    """Run only the scheduled jobs (for deployments with several web workers)."""
    import signal
    import threading

    from feedback import migrate, scheduler
    from feedback.server import settle_heap

    app = create_app(BATCH_SETTINGS)
    settle_heap()
    parent = int(os.environ.get("FEEDBACK_PARENT_PID") or 0) or None
    if parent and not scheduler.die_with_parent(parent):
        return
    with app.app_context():
        problem = migrate.problem(app.extensions["feedback.engine"])
    if problem:
        raise click.ClickException(problem)
    running = scheduler.start(app)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("Scheduler running; jobs: " + ", ".join(j.id for j in running.get_jobs("default")))
    status = scheduler.watch(app, running, stop, parent)
    running.shutdown(wait=False)
    sys.exit(status)


@main.group()
def jobs():
    """List scheduled jobs or run one now."""


@jobs.command("list")
@in_app
def jobs_list():
    """Show each job, when it runs and how its last run went, and the scheduler's heartbeat."""
    from feedback import jobs as runner

    summary = runner.health(current_app, clock.now())
    age = summary["scheduler_heartbeat_age_s"]
    click.echo("Scheduler: " + ("no heartbeat yet" if age is None else f"last heartbeat {age}s ago"))
    for name, job in runner.registry().items():
        state = summary["jobs"][name]
        status = f"last ok {state['last_ok']}" if state["last_ok"] else "never finished"
        if state["last_error"]:
            status += f"; failed {state['failures']} time(s) in a row, last at {state['last_error']}"
        if state["running"]:
            status += "; running now"
        click.echo(f"{name:18} {job.trigger}  {job.description}; {status}")
    for warning in runner.warnings(summary):
        click.echo(f"Warning: {warning}")


@jobs.command("run")
@click.argument("name")
@in_app
def jobs_run(name):
    """Run a job now, whatever its schedule."""
    from feedback import jobs as runner

    if name not in runner.registry():
        raise click.BadParameter(
            f"no job called {name!r}; try: {', '.join(runner.registry())}", param_hint="NAME"
        )
    try:
        click.echo(runner.run(name, run_key=runner.manual_key()))
    except runner.JobFailed as error:
        raise click.ClickException(str(error)) from None


def production_problem(config):
    """Return why the app must not serve in production with this config, or None."""
    from feedback.config import DEV_SECRET_KEY

    if config["ENV_NAME"] != "production":
        return None
    if not config.get("SECRET_KEY") or config["SECRET_KEY"] == DEV_SECRET_KEY:
        return "FEEDBACK_SECRET_KEY must be set to a secret of your own in production"
    if len(config["SECRET_KEY"]) < 32:
        return "FEEDBACK_SECRET_KEY must be at least 32 characters in production"
    if not config.get("DATA_KEY"):
        return "FEEDBACK_DATA_KEY must be set in production (it encrypts the waiting list)"
    return None


def _parse_date(_ctx, _param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use the form YYYY-MM-DD, e.g. 2026-11-20") from None


@main.command()
@click.option("--survey", required=True, help="Instrument slug, e.g. service-experience.")
@click.option("--service", required=True, help="Service slug, e.g. camhs.")
@click.option("--district", default=None, help="District slug, e.g. preston.")
@click.option("--appointment-date", callback=_parse_date, help="YYYY-MM-DD; sets the month counted.")
@click.option("--count", default=1, show_default=True, type=click.IntRange(1, 10_000))
@click.option(
    "--csv",
    "csv_path",
    type=click.File("w"),
    default="-",
    show_default=True,
    help="Where to write the links as CSV ('-' for the screen).",
)
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False), help="Also write cards with QR codes.")
@click.option("--days", default=None, type=click.IntRange(1, 90), help="Days until links expire.")
@in_app
def invite(survey, service, district, appointment_date, count, csv_path, pdf_path, days):
    """Make single-use invitation links (CSV for an SMS system, PDF cards with QR codes)."""
    from feedback.db import transaction
    from surveys import dao, invitations

    with transaction() as session:
        if dao.latest_instrument(session, survey) is None:
            raise click.BadParameter(
                f"no survey called {survey!r}; run `feedback init` first?", param_hint="--survey"
            )
        service_row = dao.service(session, service)
        if service_row is None:
            raise click.BadParameter(f"no service called {service!r}", param_hint="--service")
        if district and dao.district(session, district) is None:
            raise click.BadParameter(f"no district called {district!r}", param_hint="--district")
        links = invitations.issue(
            session,
            instrument_slug=survey,
            service=service_row,
            district_slug=district,
            appointment_date=appointment_date,
            count=count,
            base_url=current_app.config["BASE_URL"],
            now=clock.now(),
            days=days or current_app.config["INVITATION_DAYS"],
        )
    invitations.write_csv(links, csv_path)
    if pdf_path:
        invitations.write_pdf(links, pdf_path)
        click.echo(f"Wrote {len(links)} cards to {pdf_path}", err=True)


@main.group()
def users():
    """Staff accounts and roles."""


@users.command("add")
@click.option("--email", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "commissioner", "service_staff", "asd_team", "safeguarding_lead"]),
)
@click.option(
    "--service",
    "services",
    multiple=True,
    help="For service staff: a service whose results they see (repeat for more).",
)
@click.password_option(help="Asked for if not given; at least 12 characters.")
@in_app
def users_add(email, role, services, password):
    """Add a staff account (the password is asked for, never shown)."""
    from feedback import accounts, audit, auth
    from feedback.db import transaction

    try:
        with transaction() as session:
            user = accounts.add(session, email, role, password, services)
            email = user.email
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    detail = f"account added as {role}" + (f" for {', '.join(sorted(services))}" if services else "")
    audit.record("role_change", actor="command line", subject=email, detail=detail)
    click.echo(f"Added {email} as {auth.ROLES[role]}.")
    if role == "service_staff" and not services:
        click.echo("They see no service's results until an administrator links them to services.")


@users.command("unlock")
@click.option("--email", required=True)
@in_app
def users_unlock(email):
    """Lift the lock that failed sign-ins put on an account (for when no administrator can sign in)."""
    from feedback import audit, lockout
    from feedback.db import transaction

    with transaction() as session:
        was_locked = lockout.unlock(session, email)
    if was_locked:
        audit.record("account_unlocked", actor="command line", subject=email.strip().lower())
    click.echo(f"{email} can sign in again." if was_locked else f"{email} was not locked.")


def _register_commands():
    from analysis.cli import fft_return, kpi_values, kpis
    from analysis.themes_cli import themes_group
    from feedback.api_token_cli import api_tokens_group
    from feedback.waitlist.cli import letters_group, waitlist
    from surveys.appointments_cli import appointments_group

    for command in (
        kpis,
        kpi_values,
        fft_return,
        api_tokens_group,
        waitlist,
        letters_group,
        appointments_group,
        themes_group,
    ):
        main.add_command(in_app_group(command))


def in_app_group(command):
    """Wrap a command (or each command of a group) to run inside an app context."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            sub.callback = in_app(sub.callback)
        if command.invoke_without_command:  # `feedback kpis --month ...` works on its own too
            command.callback = in_app(command.callback)
    else:
        command.callback = in_app(command.callback)
    return command


_register_commands()
