"""Atom feeds of public content: latest topics, a forum, a topic's posts, articles, a tag."""
