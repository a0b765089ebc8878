"""Private conversations between members (see docs/architecture.md, "Private
conversations")."""
