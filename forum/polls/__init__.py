"""Polls on topics, helpful-reply votes and accepted answers."""
