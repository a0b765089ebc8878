""""Did you mean": a spelling from the words the index holds (search_words), offered when a
search finds nothing or almost nothing, and only when the corrected search finds more for
the same person, so a word that only private or hidden posts hold is never revealed.

Costs nothing when the search found enough; otherwise one query to see which words are
unknown, two for candidates (the same first two letters; the same last two), and the
corrected search's own queries."""
from __future__ import annotations

import re
from dataclasses import replace

from sqlalchemy import func, select

from ..extensions import db
from .models import SearchWord
from .queries import Criteria, Results, search

FEW = 2                 # results at most for which a better spelling is looked for
MAX_CANDIDATES = 5000   # same-start words read at most
_WORD = re.compile(r"[^\W\d_]{3,40}")


def distance(a: str, b: str, limit: int) -> int:
    """Edit distance with adjacent transpositions (optimal string alignment); any value
    above `limit` is reported as limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2, previous = [], list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _allowed(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def _kin(a: str, b: str) -> bool:
    """Whether a spelling may be looked for among words like `b`: the same first two
    letters, or the same last two (a slip in the first two)."""
    return a[:2] == b[:2] or a[-2:] == b[-2:]


def corrections(words: list[str]) -> dict[str, str]:
    """For each unknown word, the closest known word with the same first two letters or,
    failing that, the same last two (ties: the same start first, then alphabetical)."""
    wanted = sorted({w.lower() for w in words if w != "OR"})
    if not wanted:
        return {}
    known = set(db.session.scalars(select(SearchWord.word).where(SearchWord.word.in_(wanted))))
    unknown = [w for w in wanted if w not in known]
    if not unknown:
        return {}
    lengths = func.length(SearchWord.word).between(min(map(len, unknown)) - 2,
                                                   max(map(len, unknown)) + 2)
    candidates = set()
    for column, key in ((SearchWord.head, lambda w: w[:2]), (SearchWord.tail, lambda w: w[-2:])):
        candidates.update(db.session.scalars(
            select(SearchWord.word).where(column.in_(sorted({key(w) for w in unknown})), lengths)
            .order_by(SearchWord.word).limit(MAX_CANDIDATES)))
    found = {}
    for word in unknown:
        limit = _allowed(word)
        scored = sorted((distance(word, c, limit), c[:2] != word[:2], c) for c in candidates
                        if _kin(word, c))
        if scored and scored[0][0] <= limit:
            found[word] = scored[0][2]
    return found


def did_you_mean(user, criteria: Criteria, results: Results) -> str | None:
    """A corrected query that finds more than `results` for this person, or None."""
    if results.total > FEW:
        return None
    fixes = corrections(_WORD.findall(criteria.q))
    if not fixes:
        return None
    corrected = _WORD.sub(lambda m: fixes.get(m.group(0).lower(), m.group(0)), criteria.q)
    if corrected == criteria.q:
        return None
    better = search(user, replace(criteria, q=corrected), 1, 1)
    return corrected if better.total > results.total else None
