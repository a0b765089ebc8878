"""The discussion board: categories, forums, topics, posts and their revisions."""
