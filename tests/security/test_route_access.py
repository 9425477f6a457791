"""One test walks every registered route for every role and checks allow or deny; another checks
that every staff blueprint has its access rules attached where it is registered, in create_app."""

import ast
from datetime import date
from pathlib import Path

import pytest

from feedback import auth
from feedback.db import transaction
from feedback.waitlist import crypto, dao, extract
from tests.conftest import create_staff, sign_in

ROLES = ["admin", "commissioner", "service_staff", "asd_team", "safeguarding_lead"]
PUBLIC = (
    "respondents.",
    "pages.",
    "chat.",
    "static",
    "accounts.login",
    "health.",
    "letter_links.",
    "you_said.",
)
# The API answers a token, never a signed-in session: every role's cookie gets 401; its
# description is public.
TOKEN_ONLY = ("api.", "api_appointments.")
# GOV.UK Notify's callbacks answer only its bearer token (FEEDBACK_NOTIFY_CALLBACK_TOKEN).
TOKEN_ONLY = (*TOKEN_ONLY, "notify_callbacks.")
PUBLIC = (*PUBLIC, "api.openapi_document")
ONLY = {
    "dashboard.audit_log": {"admin"},
    "dashboard.enter_value": {"admin", "commissioner"},
    "dashboard.refresh_figures": {"admin"},
    "api_tokens_admin.tokens": {"admin"},
    "api_tokens_admin.make": {"admin"},
    "api_tokens_admin.revoke": {"admin"},
    "accounts.users": {"admin"},
    "accounts.add_user": {"admin"},
    "accounts.edit_user": {"admin"},
    "accounts.reset_password": {"admin"},
    "accounts.two_factor": {"admin", "asd_team"},
    "accounts.end_user_sessions": {"admin"},
    "accounts.unlock_user": {"admin"},
    # The code step is only for a sign-in waiting for its code; everyone else goes to sign in.
    "accounts.login_code": set(),
    "invitations.make": {"admin", "service_staff"},
    "invitations.send_by_text": {"admin", "service_staff"},
    "invitations.sent": {"admin", "service_staff"},
    # Closing the loop: triage by those who act on comments; actions recorded by staff who
    # can change things and approved by a lead (admin or commissioner).
    "triage.update_comment": {"admin", "commissioner", "service_staff", "safeguarding_lead"},
    "triage.correct_themes": {"admin", "commissioner", "service_staff", "safeguarding_lead"},
    "actions.new": {"admin", "commissioner", "service_staff"},
    "actions.withdraw": {"admin", "commissioner", "service_staff"},
    "actions.approve": {"admin", "commissioner"},
}
SAMPLES = {
    "token_id": 1,
    "plan": "cip-2023",
    "ref": "CIP 3.4",
    "fmt": "csv",
    "month": "2026-10",
    "reference": "ND9001",
    "slug": "local-offer",
    "token": "A" * 24,
    "filename": "site.css",
    "user_id": 1,
    "code": "asd-1-all",
    "comment_id": 1,
    "action_id": 1,
    "group": "health-and-therapies",
    "entry_id": 1,
}


def allowed(endpoint, role):
    if endpoint in ONLY:  # first: "accounts.login_code" is not the public "accounts.login"
        return role in ONLY[endpoint]
    if endpoint.startswith(PUBLIC):
        return True
    if role is None or endpoint.startswith(TOKEN_ONLY):
        return False
    if endpoint.startswith("asd."):
        return role == "asd_team"
    return role in ONLY.get(endpoint, set(ROLES))


@pytest.fixture
def prepared(app):
    app.config["WTF_CSRF_ENABLED"] = False  # authorisation is what is tested here
    app.config["DATA_KEY"] = crypto.new_key()
    row = extract.Row(
        2,
        "ND9001",
        "asd",
        None,
        date(2026, 5, 1),
        None,
        None,
        None,
        None,
        {
            "child_name": "Sky Testcase",
            "date_of_birth": "2018-01-01",
            "nhs_number": "9434765919",
            "parent_name": "Lee Testcase",
            "address_line_1": "1 Test Row",
            "address_line_2": "",
            "town": "Preston",
            "postcode": "PR1 1AA",
        },
    )
    with transaction() as session:
        dao.save_rows(session, crypto.configured_key(app), [row])
    for role in ROLES:
        create_staff(f"{role}@example.org", role)
    return app


def _routes(app):
    for rule in app.url_map.iter_rules():
        args = {name: SAMPLES[name] for name in rule.arguments}
        path = rule.build(args, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_route_allows_or_denies_each_role(prepared, role):
    client = prepared.test_client()
    if role:
        sign_in(client, f"{role}@example.org")
    checked = 0
    for endpoint, method, path in _routes(prepared):
        if endpoint in ("accounts.logout", "accounts.reset_password"):
            continue  # would end the session (or change the password) for the routes after it
        response = client.open(path, method=method, json={} if endpoint.startswith("chat.") else None)
        denied = response.status_code in (401, 403) or (
            response.status_code == 302 and "/dashboard/login" in response.headers.get("Location", "")
        )
        assert denied != allowed(endpoint, role), (endpoint, method, role, response.status_code)
        assert response.status_code < 500, (endpoint, method, role)
        response.close()  # file responses (static, widget.js) hold the file open until closed
        checked += 1
    assert checked >= 30


def _staff_blueprints(app):
    """Return the names of the blueprints that serve a page under /dashboard or /asd."""
    return {
        rule.endpoint.rpartition(".")[0]
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(("/dashboard/", "/asd/")) or rule.rule in ("/dashboard", "/asd")
    }


def test_every_blueprint_under_the_dashboard_or_asd_has_a_guard_attached_in_create_app(app):
    staff = _staff_blueprints(app)
    assert {"accounts", "dashboard", "triage", "actions", "groups", "asd", "invitations"} <= staff
    guards = app.extensions["staff_guards"]
    assert not staff - set(guards), f"staff blueprints without a guard: {sorted(staff - set(guards))}"
    for name in staff:
        first = app.before_request_funcs[name][0]
        assert first.__qualname__ == "guard.<locals>.require_staff", name  # before the blueprint's own
    assert guards["asd"]["roles"] == {"asd_team"}
    assert guards["accounts"]["open_endpoints"] == {"accounts.login", "accounts.login_code"}
    assert all(not guard["open_endpoints"] for name, guard in guards.items() if name != "accounts")


def test_access_rules_are_attached_only_where_blueprints_are_registered():
    root = Path(__file__).resolve().parents[2]
    attaching = []
    for package in ("feedback", "surveys", "bot", "analysis"):
        for path in sorted((root / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "guard"
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "auth"
                ):
                    attaching.append(str(path.relative_to(root)))
    assert attaching and set(attaching) == {"feedback/__init__.py"}
    assert not hasattr(auth, "guard_blueprint")


def test_the_guards_sit_on_each_app_and_never_on_the_shared_blueprints(app):
    for name in app.extensions["staff_guards"]:
        own_hooks = [f for funcs in app.blueprints[name].before_request_funcs.values() for f in funcs]
        assert not [f for f in own_hooks if f.__name__ == "require_staff"], name
