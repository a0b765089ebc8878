"""What a poll block on any page needs to know about the person looking at it."""
from __future__ import annotations

from flask_login import current_user

from ..permissions import can
from . import services


def poll_context(poll) -> dict:
    chosen = services.chosen_options(poll, current_user)
    return {"chosen": chosen,
            "results_allowed": can(current_user, "view_poll_results", (poll, bool(chosen))),
            "voters": services.public_voters(poll)}
