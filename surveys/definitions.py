"""Survey instruments as data: parse, validate and fingerprint the TOML files.

Pure code: no Flask, no database. A definition is resolved (scales expanded into each
question) so that its JSON says everything a response needs to be read later, and its
hash changes whenever any wording does.
"""

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

INSTRUMENTS_DIR = Path(__file__).parent / "instruments"
SCALES_FILE = "scales.toml"
QUESTION_TYPES = {"choice", "text"}
RESPONDENT_TYPES = {"parent_carer", "young_person", "board_member", "professional"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
DEFAULT_TEXT_LIMIT = 1000


class InstrumentError(ValueError):
    """A definition file is malformed; the message names the file and the field."""

    def __init__(self, source, field, problem):
        super().__init__(f"{source}: {field}: {problem}")
        self.source, self.field, self.problem = source, field, problem


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    easy_label: str
    picture: str


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    text: str
    easy_text: str
    required: bool = False
    options: tuple[Option, ...] = ()
    correct: str | None = None
    max_length: int = DEFAULT_TEXT_LIMIT
    # Routing: (an earlier question's key, the answers to it that lead here). A question with
    # asked_if is asked only when that answer was given; otherwise it is not shown in the chat,
    # any answer to it is dropped, and the KPIs that read it count only those asked.
    asked_if: tuple[str, tuple[str, ...]] | None = None


@dataclass(frozen=True)
class Definition:
    slug: str
    title: str
    respondent_type: str
    intro: str
    easy_intro: str
    questions: tuple[Question, ...]
    default_service: str | None = None
    easy_read_only: bool = False
    easy_title: str | None = None  # the title in easy read; the plain title when None

    @property
    def scored(self):
        """Whether answers are marked right or wrong (the board quiz)."""
        return any(q.correct for q in self.questions)

    def question(self, key):
        """Return the question with this key, or None."""
        return next((q for q in self.questions if q.key == key), None)

    def is_asked(self, key, answers):
        """Return whether a question is asked, given the answers {key: code} before it."""
        question = self.question(key)
        if question is None or question.asked_if is None:
            return question is not None
        earlier, codes = question.asked_if
        return self.is_asked(earlier, answers) and answers.get(earlier) in codes

    def asked_if_hint(self, key, easy_read=False):
        """Return the words that say when a routed question is to be answered, or None."""
        question = self.question(key)
        if question is None or question.asked_if is None:
            return None
        earlier = self.question(question.asked_if[0])
        labels = [
            o.easy_label if easy_read else o.label for o in earlier.options if o.code in question.asked_if[1]
        ]
        said = " or ".join(f"'{label}'" for label in labels)
        if easy_read:
            return f"Only answer this if you said {said}."
        return f"Answer this only if you answered {said} to '{earlier.text}'"


def _require(data, field, kind, source, where=""):
    value = data.get(field)
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise InstrumentError(source, f"{where}{field}", f"is required and must be {kind.__name__}")
    return value


def _parse_option(data, source, where):
    if not isinstance(data, dict):
        raise InstrumentError(source, where, "each option must be a table")
    code = _require(data, "code", str, source, where)
    if not SLUG.match(code):
        raise InstrumentError(source, f"{where}code", f"{code!r} is not a lower-case code")
    label = _require(data, "label", str, source, where)
    return Option(code, label, data.get("easy_label", label), _require(data, "picture", str, source, where))


def _parse_options(raw, source, where):
    if not isinstance(raw, list) or not raw:
        raise InstrumentError(source, f"{where}options", "must be a non-empty list")
    options = tuple(_parse_option(o, source, f"{where}options[{i}].") for i, o in enumerate(raw))
    codes = [o.code for o in options]
    if len(set(codes)) != len(codes):
        raise InstrumentError(source, f"{where}options", "codes must be unique")
    return options


def _parse_asked_if(raw, earlier, source, where):
    """Return (key, codes) for a question's ``asked_if``, checked against the earlier questions."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) != {"question", "answers"}:
        raise InstrumentError(source, f"{where}asked_if", "must be { question = KEY, answers = [...] }")
    question = next((q for q in earlier if q.key == raw["question"]), None)
    if question is None or question.type != "choice":
        raise InstrumentError(
            source, f"{where}asked_if.question", f"{raw['question']!r} is not an earlier choice question"
        )
    codes = raw["answers"]
    options = {o.code for o in question.options}
    if not isinstance(codes, list) or not codes or not set(codes) <= options:
        raise InstrumentError(source, f"{where}asked_if.answers", f"must be some of {sorted(options)}")
    return question.key, tuple(codes)


def _parse_question(data, scales, source, index, earlier=()):
    where = f"questions[{index}]."
    key = _require(data, "key", str, source, where)
    if not SLUG.match(key):
        raise InstrumentError(source, f"{where}key", f"{key!r} is not a lower-case key")
    kind = data.get("type", "choice")
    if kind not in QUESTION_TYPES:
        raise InstrumentError(source, f"{where}type", f"must be one of {sorted(QUESTION_TYPES)}")
    text = _require(data, "text", str, source, where)
    fields = {
        "key": key,
        "type": kind,
        "text": text,
        "easy_text": data.get("easy_text", text),
        "required": bool(data.get("required", False)),
        "asked_if": _parse_asked_if(data.get("asked_if"), earlier, source, where),
    }
    if kind == "text":
        limit = data.get("max_length", DEFAULT_TEXT_LIMIT)
        if not isinstance(limit, int) or not 1 <= limit <= 5000:
            raise InstrumentError(source, f"{where}max_length", "must be a whole number 1 to 5000")
        return Question(**fields, max_length=limit)
    if "scale" in data:
        if data["scale"] not in scales:
            raise InstrumentError(source, f"{where}scale", f"unknown scale {data['scale']!r}")
        options = scales[data["scale"]]
    else:
        options = _parse_options(data.get("options"), source, where)
    correct = data.get("correct")
    if correct is not None and correct not in {o.code for o in options}:
        raise InstrumentError(source, f"{where}correct", f"{correct!r} is not one of the options")
    return Question(**fields, options=options, correct=correct)


def parse_definition(data, scales, source="<definition>"):
    """Return a validated Definition from the parsed TOML of one instrument file."""
    slug = _require(data, "slug", str, source)
    if not SLUG.match(slug):
        raise InstrumentError(source, "slug", f"{slug!r} is not a lower-case slug")
    respondent = _require(data, "respondent_type", str, source)
    if respondent not in RESPONDENT_TYPES:
        raise InstrumentError(source, "respondent_type", f"must be one of {sorted(RESPONDENT_TYPES)}")
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise InstrumentError(source, "questions", "at least one question is required")
    questions = ()
    for index, raw in enumerate(raw_questions):
        questions += (_parse_question(raw, scales, source, index, questions),)
    keys = [q.key for q in questions]
    if len(set(keys)) != len(keys):
        raise InstrumentError(source, "questions", "question keys must be unique")
    intro = _require(data, "intro", str, source)
    if "easy_title" in data:
        _require(data, "easy_title", str, source)
    return Definition(
        slug=slug,
        title=_require(data, "title", str, source),
        respondent_type=respondent,
        intro=intro,
        easy_intro=data.get("easy_intro", intro),
        questions=questions,
        default_service=data.get("default_service"),
        easy_read_only=bool(data.get("easy_read_only", False)),
        easy_title=data.get("easy_title"),
    )


def parse_scales(data, source=SCALES_FILE):
    """Return {scale name: options} from the parsed scales file."""
    return {name: _parse_options(table.get("options"), source, f"{name}.") for name, table in data.items()}


def to_dict(definition):
    """Return the definition as plain data (the form stored with each version)."""
    from dataclasses import asdict

    data = asdict(definition)
    if data["easy_title"] is None:
        del data["easy_title"]  # so instruments without one keep their hash
    for question in data["questions"]:
        # Unrouted questions store no asked_if, so instruments without routing keep their hash.
        if question["asked_if"] is None:
            del question["asked_if"]
    return data


def from_dict(data):
    """Rebuild a Definition from its stored plain data."""
    questions = tuple(
        Question(
            **{
                **q,
                "options": tuple(Option(**o) for o in q["options"]),
                "asked_if": (q["asked_if"][0], tuple(q["asked_if"][1])) if q.get("asked_if") else None,
            }
        )
        for q in data["questions"]
    )
    return Definition(**{**data, "questions": questions})


def canonical_json(definition):
    """Return the definition as canonical JSON: the same wording gives the same bytes."""
    return json.dumps(to_dict(definition), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(definition):
    """Return a SHA-256 fingerprint of the definition's wording and structure."""
    return hashlib.sha256(canonical_json(definition).encode()).hexdigest()


def _read_toml(path):
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as error:
        raise InstrumentError(path.name, "(file)", f"is not valid TOML: {error}") from None


def load_directory(directory=INSTRUMENTS_DIR):
    """Return (definitions, errors): every good file is loaded, every bad one reported."""
    directory = Path(directory)
    scales = parse_scales(_read_toml(directory / SCALES_FILE))
    definitions, errors, seen = [], [], set()
    for path in sorted(directory.glob("*.toml")):
        if path.name == SCALES_FILE:
            continue
        try:
            definition = parse_definition(_read_toml(path), scales, path.name)
            if definition.slug in seen:
                raise InstrumentError(path.name, "slug", f"{definition.slug!r} is declared twice")
        except InstrumentError as error:
            errors.append(error)
            continue
        seen.add(definition.slug)
        definitions.append(definition)
    return definitions, errors
