"""The dialogue engine: an instrument as a short easy-read conversation. No web, no database.

A conversation's state is a plain dict (JSON-safe) holding where it is and what was answered,
never a transcript. `start` opens one, `reply` takes one answer and returns the next turn,
`current` repeats the turn being asked (to resume). Every answer maps to the same option codes
the forms store, so chat answers count in the same KPIs, whatever the language.

What the bot says goes through a gettext-style ``words`` object (``gettext``/``ngettext``): the
web layer passes the catalogue of the chat's language; with none, it speaks English.
"""

import gettext as stdlib_gettext
import itertools
from dataclasses import dataclass
from typing import Any

from analysis.sentiment import polarity
from bot import safeguarding
from surveys.definitions import Definition

STATE_VERSION = 1
DONT_KNOW = "dont_know"
SKIP = "skip"
NEGATIVE_BELOW = -0.1
POSITIVE_ABOVE = 0.1

State = dict[str, Any]  # a conversation's state: plain JSON-safe data, stored between turns
Answer = dict[str, Any]  # one answer as the widget sends it: {"choice": ...}, {"text": ...} or {"skip": true}
Words = stdlib_gettext.NullTranslations  # a gettext catalogue (gettext/ngettext)


ENGLISH: Words = stdlib_gettext.NullTranslations()


def _goodbye(words: Words) -> tuple[str, ...]:
    return (
        words.gettext("That is all the questions."),
        words.gettext("Your answers will help make things better."),
        words.gettext("You can close this chat now."),
    )


def goodbye(turn: int, words: Words = ENGLISH) -> "Turn":
    """Return the last turn again, for an answer sent twice after the chat was stored."""
    return Turn(_goodbye(words), "end", turn=turn)


class EngineError(ValueError):
    """An answer that does not fit the conversation; ``code`` says why, for the API."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Button:
    code: str
    label: str
    picture: str


@dataclass(frozen=True)
class Turn:
    """What the bot says next, and how the person can answer."""

    messages: tuple[str, ...]
    kind: str  # "choice", "text" or "end"
    question: str | None = None
    buttons: tuple[Button, ...] = ()
    max_length: int | None = None
    help_shown: bool = False
    turn: int = 0
    prompt: str | None = None  # the words of the question being asked (one of the messages)
    help_start: str | None = None  # the first of the help messages, when they are shown

    def as_dict(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "messages": list(self.messages),
            "kind": self.kind,
            "question": self.question,
            "prompt": self.prompt,
            "max_length": self.max_length,
            "help_shown": self.help_shown,
            "help_start": self.help_start,
            "buttons": [{"code": b.code, "label": b.label, "picture": b.picture} for b in self.buttons],
        }


class Engine:
    """Drives a conversation for one instrument and one service."""

    def __init__(
        self, definition: Definition, service_name: str, contact: str | None = None, words: Words = ENGLISH
    ) -> None:
        self.definition = definition
        self.service_name = service_name
        self.contact = contact
        self.words = words
        self.danger = words.gettext("If you are in danger now, call 999.")

    # -- the conversation ----------------------------------------------------------------

    def start(self) -> tuple[State, Turn]:
        """Return a new state and the first turn."""
        state = {
            "v": STATE_VERSION,
            "survey": self.definition.slug,
            "step": 0,
            "turn": 0,
            "follow_up": None,
            "answers": {},
            "comments": [],
            "finished": False,
        }
        count, words = most_questions(self.definition), self.words
        if _routed(self.definition):
            how_many = words.ngettext(
                "I will ask you %(num)d short question or fewer.",
                "I will ask you %(num)d short questions or fewer.",
                count,
            )
        else:
            how_many = words.ngettext(
                "I will ask you %(num)d short question.", "I will ask you %(num)d short questions.", count
            )
        team = f"{self.service_name[:1].upper()}{self.service_name[1:]}"
        hello = (
            words.gettext("Hello! I am a computer, not a person."),
            how_many % {"num": count},
            words.gettext("%(team)s will read your answers.") % {"team": team},
            words.gettext("You do not need to give your name."),
        )
        return state, self._ask(state, hello)

    def current(self, state: State) -> Turn:
        """Return the turn the conversation is waiting on (to show again after a break)."""
        self._check_state(state)
        if state["finished"]:
            return self._end(state, ())
        return self._ask(state, (self.words.gettext("Welcome back. Here is where we were."),))

    def reply(self, state: State, turn: int, answer: Answer) -> tuple[State, Turn]:
        """Take an answer to turn number ``turn``; return (new state, next turn)."""
        self._check_state(state)
        if state["finished"]:
            raise EngineError("finished", self.words.gettext("This conversation has already finished."))
        if turn != state["turn"]:
            raise EngineError("out_of_order", self.words.gettext("That answer is for an earlier question."))
        state = {
            **state,
            "answers": dict(state["answers"]),
            "comments": [list(c) for c in state["comments"]],
            "turn": state["turn"] + 1,
        }
        if state["follow_up"]:
            said = self._take_follow_up(state, answer)
        else:
            question = self.definition.questions[state["step"]]
            said = (
                self._take_text(state, question, answer)
                if question.type == "text"
                else self._take_choice(state, question, answer)
            )
        if state["follow_up"]:
            return state, self._ask(state, said)
        state["step"] = self._next_step(state)
        if state["step"] >= len(self.definition.questions):
            state["finished"] = True
            return state, self._end(state, said)
        return state, self._ask(state, said)

    def _next_step(self, state):
        """Return the next question's step, passing over questions not asked (routing)."""
        questions = self.definition.questions
        step = state["step"] + 1
        while step < len(questions) and not self.definition.is_asked(questions[step].key, state["answers"]):
            step += 1
        return step

    # -- answers ---------------------------------------------------------------------------

    def _take_choice(self, state, question, answer):
        self._only(answer, {"choice", "skip"})
        if answer.get("skip") is True or answer.get("choice") == SKIP:
            return (self.words.gettext("OK, we will skip that one."),)
        choice = answer.get("choice")
        codes = {o.code for o in question.options}
        # The chat offers what the form offers: "I don't know" only where the scale has it.
        if not isinstance(choice, str) or choice not in codes:
            raise EngineError("bad_choice", self.words.gettext("Please pick one of the buttons."))
        state["answers"][question.key] = choice
        return (self.words.gettext("Thank you."),)

    def _record_text(self, state, question, answer, key):
        """Store a free-text answer; return (polarity, risk), or None when skipped."""
        self._only(answer, {"text", "skip"})
        if answer.get("skip") is True:
            return None
        text = answer.get("text")
        if not isinstance(text, str) or not text.strip():
            raise EngineError("empty_text", self.words.gettext("Please write something, or press Skip."))
        text = text.strip()
        if len(text) > question.max_length:
            raise EngineError(
                "too_long",
                self.words.gettext("Please use %(num)d letters or fewer.") % {"num": question.max_length},
            )
        score, risk = polarity(text), safeguarding.suggests_risk(text)
        state["comments"].append([key, text, score, risk, risk])
        return score, risk

    def _take_text(self, state, question, answer):
        read, say = self._record_text(state, question, answer, question.key), self.words.gettext
        if read is None:
            return (say("OK, we will skip that one."),)
        score, risk = read
        if risk:
            return self._help_messages()
        if score < NEGATIVE_BELOW:
            state["follow_up"] = question.key  # one gentle follow-up, never more
            return (say("Thank you for telling us."),)
        if score > POSITIVE_ABOVE:
            return (say("Thank you! That is good to hear."),)
        return (say("Thank you for telling us."),)

    def _take_follow_up(self, state, answer):
        question = self.definition.question(state["follow_up"])
        state["follow_up"] = None
        read, say = self._record_text(state, question, answer, f"{question.key}_better"), self.words.gettext
        if read is None:
            return (say("OK, we will skip that one."),)
        return self._help_messages() if read[1] else (say("Thank you. We will think about that."),)

    def _help_messages(self):
        say = self.words.gettext
        messages = [
            say("Thank you for telling us."),
            self.danger,
            say("You can call Childline for free on 0800 1111."),
        ]
        if self.contact:
            messages.append(say("You can also contact %(contact)s.") % {"contact": self.contact})
        messages.append(say("A member of staff will read what you wrote."))
        return tuple(messages)

    # -- turns -----------------------------------------------------------------------------

    def _ask(self, state, said):
        say, skip = self.words.gettext, Button(SKIP, self.words.gettext("Skip"), "skip")
        helped = self._helped(said)
        if state["follow_up"]:
            question = self.definition.question(state["follow_up"])
            better = say("What would make it better?")
            return Turn(
                (*said, better),
                "text",
                question=f"{question.key}_better",
                prompt=better,
                buttons=(skip,),
                max_length=question.max_length,
                turn=state["turn"],
                **helped,
            )
        question = self.definition.questions[state["step"]]
        text = question.easy_text.replace("{service}", self.service_name)
        if question.type == "text":
            return Turn(
                (*said, text, say("You can type your answer.")),
                "text",
                question=question.key,
                prompt=text,
                buttons=(skip,),
                max_length=question.max_length,
                turn=state["turn"],
                **helped,
            )
        buttons = (*(Button(o.code, o.easy_label, o.picture) for o in question.options), skip)
        return Turn(
            (*said, text),
            "choice",
            question=question.key,
            prompt=text,
            buttons=buttons,
            turn=state["turn"],
            **helped,
        )

    def _end(self, state, said):
        return Turn((*said, *_goodbye(self.words)), "end", turn=state["turn"], **self._helped(said))

    def _helped(self, said):
        """Return the Turn fields that say whether (and where) the help messages were shown."""
        shown = self.danger in said
        return {"help_shown": shown, "help_start": self.danger if shown else None}

    def _check_state(self, state):
        if (
            not isinstance(state, dict)
            or state.get("v") != STATE_VERSION
            or state.get("survey") != self.definition.slug
            or not 0 <= state.get("step", -1) <= len(self.definition.questions)
        ):
            raise EngineError("bad_state", self.words.gettext("This conversation cannot be continued."))

    def _only(self, answer, allowed):
        if not isinstance(answer, dict) or not answer or set(answer) - allowed:
            raise EngineError("bad_answer", self.words.gettext("That answer is not in a form I understand."))


def _routed(definition):
    return any(q.asked_if for q in definition.questions)


def most_questions(definition: Definition) -> int:
    """Return the most questions one conversation can ask, given the routing."""
    controllers = [
        definition.question(key)
        for key in dict.fromkeys(q.asked_if[0] for q in definition.questions if q.asked_if)
    ]
    choices = [[None, *(o.code for o in c.options)] for c in controllers]
    most = 0
    for combination in itertools.islice(itertools.product(*choices), 4096):
        answers = {c.key: code for c, code in zip(controllers, combination, strict=True) if code}
        most = max(most, sum(definition.is_asked(q.key, answers) for q in definition.questions))
    return most
