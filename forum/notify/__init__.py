"""Subscriptions, notifications, unread marks and e-mail to members (receivers connected
in forum/composition/wiring.py)."""
