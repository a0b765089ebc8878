"""Admin pages: categories and forums (create, rename, describe, reorder), each change logged."""
