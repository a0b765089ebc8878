"""Pings: a public post that links to another topic of this forum shows there as "N pings"
(the linking topic's title and the words around the link). They apply to every topic."""
