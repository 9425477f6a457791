"""References stored before the reference rule that break it: what is wrong with each, how to
show it safely, a rule-following replacement to suggest, and the checks on a change.

A family's reference goes in its pages' addresses and in file names, so one with a "/" cannot be
reached and one with a line break cannot be a download's name. Such families still get their
letters; their pages send the ASD team to change the reference first (feedback.waitlist.views).
"""

import json
import re
from dataclasses import dataclass

from feedback.waitlist.extract import LIMITS, REFERENCE_RULE, valid_reference

LONGEST = LIMITS["reference"]
HOW_TO_FIX = (
    "Change each one in the provider's system first, so that the next extract carries the new "
    "reference (a row with the old one is refused), then give the family the same new reference "
    "here. The family keeps its letters and their dates."
)
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9]+")
_NAMED = (("\r\n", "a line break"), ("/\\", "a slash"), ("\"'`", "a quote"))


@dataclass(frozen=True)
class Breaker:
    """A stored reference that breaks the rule, with why and a replacement that follows it."""

    entry_id: int
    reference: str
    problems: tuple
    suggestion: str

    @property
    def shown(self):
        return shown(self.reference)


def shown(reference):
    """Return the reference as it may be printed or shown: as it is when it follows the rule, else
    in double quotes with line breaks, quotes and unusual characters written as escapes."""
    return reference if valid_reference(reference) else json.dumps(reference)


def problems(reference):
    """Return what in a reference breaks the rule, in plain words (nothing when it follows it)."""
    if valid_reference(reference):
        return ()
    if not reference:
        return ("it is empty",)
    found = [f"more than {LONGEST} characters"] if len(reference) > LONGEST else []
    found += [words for characters, words in _NAMED if any(c in characters for c in reference)]
    if any(c.isspace() and c not in "\r\n" for c in reference):
        found.append("a space")
    others = sorted(
        {
            c
            for c in reference
            if not (c.isascii() and c.isalnum()) and not c.isspace() and c not in "-/\\\"'`"
        }
    )
    if others:
        found.append("other characters: " + " ".join(json.dumps(c)[1:-1] for c in others))
    if "--" in reference or reference.startswith("-") or reference.endswith("-"):
        found.append("a hyphen at the start or end, or two together")
    return tuple(found)


def suggestion(reference, taken):
    """Return a reference that follows the rule, made from this one and not in ``taken``."""
    base = _NOT_ALLOWED.sub("-", reference)[:LONGEST].strip("-") or "REF"
    candidate, number = base, 2
    while candidate in taken:
        ending = f"-{number}"
        candidate, number = base[: LONGEST - len(ending)].rstrip("-") + ending, number + 1
    return candidate


def breakers(references_by_id):
    """Return every stored reference that breaks the rule ({entry id: reference} in), oldest
    entry first, each with a suggestion that no other family has or is suggested."""
    taken = set(references_by_id.values())
    found = []
    for entry_id, reference in sorted(references_by_id.items()):
        if not valid_reference(reference):
            suggested = suggestion(reference, taken)
            taken.add(suggested)
            found.append(Breaker(entry_id, reference, problems(reference), suggested))
    return found


def check_change(entry_id, new, references_by_id):
    """Return the family's old reference if it may be changed to ``new``; else raise ValueError."""
    old = references_by_id.get(entry_id)
    if old is None:
        raise ValueError(f"there is no family with id {entry_id}")
    if valid_reference(old):
        raise ValueError(f"{old} already follows the rule; the provider's extract decides it")
    if not valid_reference(new):
        raise ValueError(f"the new reference must be {REFERENCE_RULE}")
    if new in references_by_id.values():
        raise ValueError(f"{new} is already another family's reference")
    return old
