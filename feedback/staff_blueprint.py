"""The staff blueprint: signing in, your own account, and the admin's pages for accounts.

Its pages live in feedback.account_views (sign-in, password, second factor) and
feedback.user_admin (the admin's); both add routes to this one blueprint, which create_app
registers and puts behind sign-in (all but OPEN_ENDPOINTS).
"""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/dashboard")
OPEN_ENDPOINTS = {"accounts.login", "accounts.login_code"}  # signing in needs no account yet
