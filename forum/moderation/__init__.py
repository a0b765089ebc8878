"""Moderation: topic tools and the audit log of every moderation action."""
