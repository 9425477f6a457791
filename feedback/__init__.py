"""The SEND feedback service: app factory, config, database, models and command line."""

from pathlib import Path

from flask import Flask

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def create_app(test_config=None):
    """Build the web app: config, database, blueprints, error pages and headers."""
    from feedback.config import config_for

    app = Flask(
        __name__,
        template_folder=str(TEMPLATES),
        instance_relative_config=True,
    )
    variant = (test_config or {}).get("ENV_NAME")
    app.config.from_object(config_for(variant))
    if test_config:
        app.config.update(test_config)
    if app.config.get("INSTANCE_PATH"):
        app.instance_path = app.config["INSTANCE_PATH"]

    from feedback import bodies, db, errors, headers, instance, languages, proxies
    from feedback.extensions import csrf

    instance.init_app(app)  # the instance's key, and a private database file, before it is opened
    db.init_app(app)
    csrf.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    bodies.init_app(app)
    proxies.init_app(app)
    languages.init_app(app)  # Flask-Babel: respondents' pages and the chat in their language

    from analysis.action_views import bp as actions_bp
    from analysis.api import bp as api_bp
    from analysis.dashboard import bp as dashboard_bp
    from analysis.group_views import bp as groups_bp
    from analysis.public_views import bp as you_said_bp
    from analysis.triage_views import bp as triage_bp
    from bot.api import bp as chat_bp
    from feedback import account_views, user_admin  # noqa: F401 (their pages, on the staff blueprint)
    from feedback.api_token_views import bp as api_tokens_admin_bp
    from feedback.pages import bp as pages_bp
    from feedback.staff_blueprint import OPEN_ENDPOINTS as SIGN_IN_PAGES
    from feedback.staff_blueprint import bp as accounts_bp
    from feedback.waitlist.public import bp as letter_links_bp
    from feedback.waitlist.views import bp as asd_bp
    from surveys.appointments_api import bp as appointments_api_bp
    from surveys.notify_callbacks import bp as notify_callbacks_bp
    from surveys.staff_views import bp as invitations_bp
    from surveys.views import bp as respondents_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(api_bp)  # token-authorised, read-only: /api/v1
    app.register_blueprint(api_tokens_admin_bp)
    app.register_blueprint(respondents_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(triage_bp)
    app.register_blueprint(actions_bp)
    app.register_blueprint(groups_bp)
    app.register_blueprint(you_said_bp)  # public: approved actions only, never a comment
    app.register_blueprint(chat_bp)
    app.register_blueprint(asd_bp)
    app.register_blueprint(letter_links_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(invitations_bp)
    app.register_blueprint(appointments_api_bp)  # token-authorised: POST /api/v1/appointments
    app.register_blueprint(notify_callbacks_bp)  # GOV.UK Notify's bearer token: /notify/...

    # Who may open the staff pages, for every blueprint under /dashboard and /asd: a signed-in
    # user, of these roles if named (views may narrow further with auth.requires_role).
    from feedback import auth

    auth.guard(app, accounts_bp, open_endpoints=SIGN_IN_PAGES)  # signing in, your account, users
    auth.guard(app, dashboard_bp)
    auth.guard(app, triage_bp)
    auth.guard(app, actions_bp)
    auth.guard(app, groups_bp)
    auth.guard(app, api_tokens_admin_bp, roles={"admin"})
    auth.guard(app, invitations_bp, roles={"admin", "service_staff"})
    auth.guard(app, asd_bp, roles={"asd_team"})  # only the ASD team sees personal data
    # The API: a live token (Authorization: Bearer), whose role and services scope what it reads.
    auth.guard_api(app, api_bp, open_endpoints={"api.openapi_document"})
    auth.guard_api(app, appointments_api_bp)

    # Each package declares its own scheduled jobs; the runner in feedback.jobs runs them.
    from analysis.freshness import JOBS as freshness_jobs
    from analysis.jobs import JOBS as analysis_jobs
    from analysis.loop_jobs import JOBS as loop_jobs
    from bot.jobs import JOBS as chat_jobs
    from feedback import health, jobs, retention, text
    from feedback.waitlist.jobs import JOBS as waitlist_jobs
    from surveys.jobs import JOBS as sending_jobs

    jobs.init_app(
        app,
        [
            *analysis_jobs,
            *freshness_jobs,
            *waitlist_jobs,
            *chat_jobs,
            *retention.JOBS,
            *sending_jobs,
            *loop_jobs,
        ],
    )
    health.init_app(app)
    text.init_app(app)
    return app
