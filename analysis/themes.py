"""Themes of free-text comments: a codebook as data (analysis/themes.toml), matched offline.

Each theme lists plain phrases, word stems and, where those cannot say it, regular
expressions; and phrases that stop a match ("waiting room" is not about waiting). A comment
has every theme one of whose cues it contains. Pure code: no Flask, no database, no corpora.

A codebook that cannot be read loads nothing: the error names the theme and the line.
"""

import functools
import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

CODEBOOK_FILE = Path(__file__).parent / "themes.toml"
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})
SLUG = re.compile(r"^[a-z][a-z_]{1,39}$")
CUE_KINDS = ("phrases", "stems", "patterns")


class ThemeFileError(ValueError):
    """The codebook could not be loaded; the message says where and why."""


@dataclass(frozen=True)
class Theme:
    """One theme: its names (plain and easy read), what it covers, and its compiled cues."""

    slug: str
    name: str
    easy_name: str
    about: str
    cues: tuple  # of re.Pattern
    not_cues: tuple  # of re.Pattern: text removed before this theme's cues are tried

    def matches(self, lowered):
        """Return whether a comment (lower case, padded with spaces) has this theme."""
        for cue in self.not_cues:
            lowered = cue.sub(" ", lowered)
        return any(cue.search(lowered) for cue in self.cues)


@dataclass(frozen=True)
class Codebook:
    """Every theme, in file order, and the version (a digest of the file) that made them."""

    version: str
    themes: tuple  # of Theme

    @property
    def slugs(self):
        return tuple(theme.slug for theme in self.themes)

    def theme(self, slug):
        """Return the theme with this slug, or None."""
        return next((t for t in self.themes if t.slug == slug), None)

    def names(self):
        """Return {slug: plain name}."""
        return {t.slug: t.name for t in self.themes}

    def themes_of(self, text):
        """Return the slugs of the themes a comment has, in codebook order."""
        lowered = f" {normalise(text)} "
        return tuple(theme.slug for theme in self.themes if theme.matches(lowered))


def normalise(text):
    """Return the comment in lower case with curly apostrophes straightened and spaces collapsed."""
    return " ".join(text.lower().translate(APOSTROPHES).split())


def phrase_pattern(phrase):
    """Return the regular expression for a plain phrase: whole words, any spacing, ``*`` for any ending."""
    words = [re.escape(word).replace(r"\*", r"\w*") for word in normalise(phrase).split()]
    return r"\b" + r"\s+".join(words) + (r"\b" if not phrase.endswith("*") else "")


def stem_pattern(stem):
    """Return the regular expression for a word stem: any word that starts with it."""
    return r"\b" + re.escape(normalise(stem)) + r"\w*"


def _line_of(source, theme, text):
    """Return the line of the file where ``text`` first appears in a theme's table (1 if unknown)."""
    lines = source.splitlines()
    header = re.compile(rf"\s*\[themes\.{re.escape(theme)}\]")
    start = next((i for i, line in enumerate(lines) if header.match(line)), 0)
    for number in range(start, len(lines)):
        if text in lines[number] or repr(text)[1:-1] in lines[number]:
            return number + 1
    return start + 1


def _compile(source, name, slug, kind, cue):
    """Compile one cue, or raise ThemeFileError naming the theme and the line."""
    if not isinstance(cue, str) or not cue.strip():
        raise ThemeFileError(
            f"{name} line {_line_of(source, slug, kind)}, theme {slug!r}: "
            f"every entry of {kind} must be a non-empty string"
        )
    pattern = {"phrases": phrase_pattern, "stems": stem_pattern, "patterns": str}[kind](cue)
    try:
        return re.compile(pattern)
    except re.error as error:
        raise ThemeFileError(
            f"{name} line {_line_of(source, slug, cue)}, theme {slug!r}: the pattern "
            f"{cue!r} is not a valid regular expression ({error.msg})"
        ) from None


def _theme(source, name, slug, table):
    if not SLUG.match(slug):
        raise ThemeFileError(
            f"{name} line {_line_of(source, slug, slug)}: the theme name {slug!r} must "
            "be lower-case letters and underscores"
        )
    if not isinstance(table, dict) or not table.get("name"):
        raise ThemeFileError(f"{name} line {_line_of(source, slug, slug)}, theme {slug!r}: it needs a name")
    cues = tuple(_compile(source, name, slug, kind, cue) for kind in CUE_KINDS for cue in table.get(kind, ()))
    if not cues:
        raise ThemeFileError(
            f"{name} line {_line_of(source, slug, slug)}, theme {slug!r}: it has no "
            "phrases, stems or patterns"
        )
    not_cues = tuple(_compile(source, name, slug, "phrases", cue) for cue in table.get("not", ()))
    return Theme(
        slug, table["name"], table.get("easy_name", table["name"]), table.get("about", ""), cues, not_cues
    )


def parse(source, name="themes.toml"):
    """Return the Codebook in a file's text; raise ThemeFileError (and load nothing) if any of it is wrong."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise ThemeFileError(f"{name}: not valid TOML ({error})") from None
    tables = data.get("themes")
    if not isinstance(tables, dict) or not tables:
        raise ThemeFileError(f"{name}: no [themes.<name>] tables")
    themes = tuple(_theme(source, name, slug, table) for slug, table in tables.items())
    version = hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]
    return Codebook(version, themes)


@functools.cache
def _load(path, _modified):
    path = Path(path)
    return parse(path.read_text(encoding="utf-8"), path.name)


def load(path=CODEBOOK_FILE):
    """Return the codebook in a file (read again whenever the file changes)."""
    path = Path(path)
    return _load(str(path), path.stat().st_mtime_ns)


def measure(codebook, labelled):
    """Return {theme: (true positives, false positives, false negatives)} over (themes, text) pairs."""
    counts = {slug: [0, 0, 0] for slug in codebook.slugs}
    for expected, text in labelled:
        found = set(codebook.themes_of(text))
        for slug in counts:
            counts[slug][0] += slug in found and slug in expected
            counts[slug][1] += slug in found and slug not in expected
            counts[slug][2] += slug not in found and slug in expected
    return {slug: tuple(c) for slug, c in counts.items()}


def precision_recall(tp, fp, fn):
    """Return (precision, recall); None where nothing was found or nothing was expected."""
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return precision, recall
