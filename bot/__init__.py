"""The easy-read conversational widget: a dialogue engine with no web code, its API and script."""
