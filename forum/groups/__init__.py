"""Groups of members, and the forums whose reading, replying, starting and moderating they
are given (see docs/architecture.md, "Groups and private forums")."""
