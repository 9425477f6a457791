"""The dependency audit's verdict (.ci/audit): a known vulnerability fails CI; advisory data that
cannot be reached is said plainly and does not."""

import importlib.util
from pathlib import Path

import pytest

SUMMARY = Path(__file__).parents[2] / ".ci" / "audit_summary.py"


@pytest.fixture(scope="module")
def summarise():
    spec = importlib.util.spec_from_file_location("audit_summary", SUMMARY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.summarise


def _package(name, vulns=(), skip=None):
    if skip:
        return {"name": name, "skip_reason": skip}
    return {"name": name, "version": "1.0", "vulns": list(vulns)}


def test_a_known_vulnerability_fails_the_audit_and_names_the_fix(summarise):
    report = {
        "dependencies": [
            _package("flask"),
            _package("jinja2", [{"id": "GHSA-0000-0000-0000", "fix_versions": ["3.1.6"], "aliases": []}]),
        ]
    }
    code, lines = summarise(report, 1)
    assert code == 1
    assert "jinja2 1.0: GHSA-0000-0000-0000 (fixed in 3.1.6)" in "\n".join(lines)


def test_advisory_data_out_of_reach_is_reported_as_not_run_and_does_not_fail(summarise):
    unreachable = {"dependencies": [_package(n, skip="Dependency not found on PyPI") for n in ("a", "b")]}
    code, lines = summarise(unreachable, 0)
    assert code == 0 and lines[0].startswith("Dependency audit NOT RUN: none of 2 packages")
    code, lines = summarise(None, 1, "ConnectionError: could not reach the vulnerability service\n")
    assert code == 0 and "NOT RUN" in lines[0] and "could not reach" in lines[0]


def test_a_partly_run_audit_says_which_packages_were_not_checked(summarise):
    report = {"dependencies": [_package("flask"), _package("local-thing", skip="not on PyPI")]}
    code, lines = summarise(report, 0)
    assert code == 0 and "PARTLY RUN" in lines[0] and "local-thing" in lines[0]


def test_a_clean_audit_says_how_many_packages_were_checked(summarise):
    assert summarise({"dependencies": [_package("flask"), _package("wtforms")]}, 0) == (
        0,
        ["Dependency audit: 2 packages checked, no known vulnerabilities."],
    )
