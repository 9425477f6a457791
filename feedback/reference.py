"""Reference data: services, providers and districts from a TOML file."""

import tomllib
from pathlib import Path

from feedback import dao

REFERENCE_FILE = Path(__file__).parent / "reference.toml"


class ReferenceError(ValueError):
    """The reference file is malformed; the message names the entry."""


def parse_reference(data):
    """Return (providers, districts, services) as lists of plain dicts, validated."""
    providers = [{"slug": s, "name": n} for s, n in data.get("providers", {}).items()]
    districts = [{"slug": s, "name": n} for s, n in data.get("districts", {}).items()]
    known = {p["slug"] for p in providers}
    services = []
    for slug, entry in data.get("services", {}).items():
        if not isinstance(entry, dict) or not entry.get("name"):
            raise ReferenceError(f"services.{slug}: name is required")
        if entry.get("provider") and entry["provider"] not in known:
            raise ReferenceError(f"services.{slug}: unknown provider {entry['provider']!r}")
        services.append(
            {
                "slug": slug,
                "name": entry["name"],
                "provider_slug": entry.get("provider"),
                "contact": entry.get("contact"),
                "easy_name": entry.get("easy_name"),
            }
        )
    return providers, districts, services


def load(session, path=REFERENCE_FILE):
    """Insert or update every provider, district and service; return how many of each."""
    with Path(path).open("rb") as f:
        providers, districts, services = parse_reference(tomllib.load(f))
    dao.save_reference(session, providers, districts, services)
    return {"providers": len(providers), "districts": len(districts), "services": len(services)}
