"""Subscriptions, notifications, unread marks and the e-mail outbox.

Importing the package connects its receivers to forum/events.py (create_app imports it).
"""
from . import receivers  # noqa: F401
