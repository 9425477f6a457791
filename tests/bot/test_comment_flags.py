"""A chat comment that suggests risk is stored flagged, with the help message marked as shown;
an ordinary one is stored unflagged (the chat's state carries comments as JSON lists)."""

from feedback.models import Comment
from tests.bot.test_api import answer, start
from tests.conftest import rows


def test_a_chat_comment_suggesting_risk_is_stored_flagged_and_help_shown(app, client):
    token = start(client).get_json()["conversation"]
    answer(client, token, 0, choice="strongly_agree")
    answer(client, token, 1, text="I don't feel safe at home")
    [comment] = rows(Comment)
    assert (comment.question_key, comment.text) == ("comment", "I don't feel safe at home")
    assert (comment.flagged, comment.help_shown) == (True, True)


def test_an_ordinary_chat_comment_is_stored_unflagged(app, client):
    token = start(client).get_json()["conversation"]
    answer(client, token, 0, choice="strongly_agree")
    answer(client, token, 1, text="Great fun with my friends!")
    [comment] = rows(Comment)
    assert (comment.flagged, comment.help_shown) == (False, False)
    assert comment.polarity > 0
