"""Words in free text that suggest a risk of harm, so the bot shows where to get help at once.

This is phrase matching, and its limits are real: it misses harm described in other words,
misspelt, or in another language, and it can match a phrase used innocently. It is a prompt to
show help and to put the comment in front of the safeguarding lead first, never a judgement
that a child is or is not safe. The list was drafted from NSPCC and Childline guidance on how
children describe harm and must be reviewed by the partnership's safeguarding lead before use;
add to it in one place, here, with a test for each addition and for a near miss.
"""

import re

# Each pattern is matched on lower-case text with runs of punctuation turned into spaces.
PATTERNS = [
    r"\bkill(ing)? (my ?self|me)\b",
    r"\bend (it all|my life)\b",
    r"\bwant(ed)? to die\b",
    r"\bbetter off dead\b",
    r"\bsuicid(e|al)\b",
    r"\bself ?harm(ing)?\b",
    r"\b(hurt|hurting|cut|cutting|harm|harming) my ?self\b",
    r"\b(he|she|they|someone|somebody|my \w+) (hits|hit|hurts|hurt|kicks|kicked|touches|touched) me\b",
    r"\b(hits|hurts|kicks|touches) me\b",
    r"\babus(e|ed|es|ing)\b",
    r"\b(not|never|don t|do not|dont) (feel )?safe\b",
    r"\b(i feel|i am|i m|im) (unsafe|scared at home|in danger)\b",
    r"\bscared to go home\b",
    r"\bafraid to go home\b",
    r"\bno one (looks after|feeds) me\b",
]
_COMPILED = [re.compile(p) for p in PATTERNS]


def normalise(text):
    """Lower-case the text and turn punctuation into spaces, so 'self-harm' meets 'self harm'."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def suggests_risk(text):
    """Return whether free text contains a phrase on the reviewed list."""
    plain = f" {normalise(text)} "
    return any(pattern.search(plain) for pattern in _COMPILED)
