"""Read pip-audit's JSON report and say plainly what the dependency audit found.

usage: audit_summary.py REPORT.json PIP_AUDIT_EXIT_STATUS LOG
Exit 1 only for known vulnerabilities; 0 (with a loud "NOT RUN" or "PARTLY RUN") when the
advisory data could not be reached for some or all packages.
"""

import json
import sys
from pathlib import Path


def summarise(report, status, log=""):
    """Return (exit code, lines to print) for a pip-audit report (None if it wrote none)."""
    if report is None:
        tail = " ".join(log.strip().splitlines()[-1:])[:300]
        return 0, [f"Dependency audit NOT RUN: the advisory data could not be reached ({tail or status})."]
    packages = report.get("dependencies", [])
    skipped = [p for p in packages if p.get("skip_reason")]
    audited = [p for p in packages if not p.get("skip_reason")]
    found = [(p["name"], p["version"], v) for p in audited for v in p.get("vulns", [])]
    if found:
        plural = "y" if len(found) == 1 else "ies"
        lines = [f"Dependency audit FAILED: {len(found)} known vulnerabilit{plural}:"]
        for name, version, vuln in found:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            lines.append(f"  {name} {version}: {vuln['id']} (fixed in {fixes})")
        lines.append("Upgrade, or list the id in .ci/audit-ignore with the reason it does not apply.")
        return 1, lines
    if not audited:
        return 0, [
            f"Dependency audit NOT RUN: none of {len(packages)} packages could be checked "
            "(the PyPI advisory data is not reachable from here)."
        ]
    if skipped:
        return 0, [
            f"Dependency audit PARTLY RUN: {len(audited)} packages checked, no known "
            f"vulnerabilities; {len(skipped)} could not be checked: "
            + ", ".join(p["name"] for p in skipped[:10])
            + ("…" if len(skipped) > 10 else "")
        ]
    return 0, [f"Dependency audit: {len(audited)} packages checked, no known vulnerabilities."]


def main(path, status, log_path):
    report_file = Path(path)
    written = report_file.exists() and report_file.stat().st_size
    report = json.loads(report_file.read_text()) if written else None
    log = Path(log_path).read_text(errors="replace") if Path(log_path).exists() else ""
    code, lines = summarise(report, status, log)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
