"""Groups follow the rest of the forum: the policy reads each member's groups through
queries.load_scope, memberships by e-mail domain follow members' addresses, and memberships
by identity-provider group claims follow each log-in there. All are connected in
forum/composition/wiring.py."""
from __future__ import annotations

from . import services


def address_changed(user, **_) -> None:
    services.follow_address(user)


def provider_signed_in(user, *, provider: str, groups: list[str], **_) -> None:
    services.follow_provider_groups(user, provider, groups)
