"""The local fake of GOV.UK Notify, which now lives in feedback.notify_fake so that `feedback demo`
can run the whole sending loop on it too (letters, text messages and emails)."""

from feedback.notify_fake import API_KEY, SECRET, SERVICE_ID, FakeNotify

__all__ = ["API_KEY", "SECRET", "SERVICE_ID", "FakeNotify"]
