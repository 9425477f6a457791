"""Delivery groups as data (analysis/delivery_groups.toml), and what a group's monthly digest
holds. Pure code: the job (analysis.loop_jobs) reads the figures and stores the page."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

GROUPS_FILE = Path(__file__).parent / "delivery_groups.toml"


class GroupFileError(ValueError):
    """The delivery-groups file could not be loaded."""


@dataclass(frozen=True)
class Group:
    slug: str
    name: str
    services: tuple
    kpis: tuple  # of (plan slug, ref)


def load(path=GROUPS_FILE, known_services=None):
    """Return every group in the file; raise GroupFileError naming the group if one is wrong."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise GroupFileError(f"{Path(path).name}: {error}") from None
    groups = []
    for slug, table in (data.get("groups") or {}).items():
        services = tuple(table.get("services", ()))
        unknown = [s for s in services if known_services is not None and s not in known_services]
        if not table.get("name") or not services or unknown:
            raise GroupFileError(
                f"{Path(path).name}, group {slug!r}: it needs a name and known services"
                + (f" (unknown: {', '.join(unknown)})" if unknown else "")
            )
        kpis = tuple(tuple(part.strip() for part in ref.split(":", 1)) for ref in table.get("kpis", ()))
        if any(len(k) != 2 for k in kpis):
            raise GroupFileError(f'{Path(path).name}, group {slug!r}: write each KPI as "plan: ref"')
        groups.append(Group(slug, table["name"], services, kpis))
    return groups


def members(groups, visible_services):
    """Return the groups a user belongs to: all of them (None), or those with one of their services."""
    if visible_services is None:
        return list(groups)
    return [g for g in groups if set(g.services) & set(visible_services)]


def trend(this_month, last_month):
    """Return a word for how a KPI moved since last month ("up", "down", "level" or "no data")."""
    if this_month is None or last_month is None:
        return "no data"
    if abs(this_month - last_month) < 0.5:
        return "level"
    return "up" if this_month > last_month else "down"


def top_themes(counts, names, how_many=5):
    """Return [(theme name, comments)] for the group's most common themes, most first."""
    ranked = sorted(((n, slug) for slug, n in counts.items() if n), key=lambda item: (-item[0], item[1]))
    return [(names.get(slug, slug), n) for n, slug in ranked[:how_many]]
