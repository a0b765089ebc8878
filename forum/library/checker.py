"""`flask forum check-links`: is every library address still there?

Each address gets a HEAD request (a GET when the server refuses HEAD), with a timeout, at
most MAX_REDIRECTS redirects and at most `concurrency` requests at a time. A link is broken
when it answers 4xx/5xx, times out, cannot be reached or redirects too often (a loop).
Placeholder addresses of the demo content are skipped. The results are written in one
transaction at the end, so the network is never waited on while holding a database lock.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
from sqlalchemy import select, update

from .. import clock
from ..extensions import db
from ..errors import Invalid
from . import netguard
from .models import PLACEHOLDER_PREFIX, LinkEntry, LinkHealth

MAX_REDIRECTS = 5  # followed by hand, each hop checked (netguard)
HEAD_REFUSED = {403, 405, 501}
USER_AGENT = "PublicServiceForum-LinkCheck/1.0"


@dataclass
class Result:
    link_id: int
    ok: bool
    status_code: int | None = None
    error: str | None = None


async def _fetch(client: httpx.AsyncClient, url: str, allowed: list) -> httpx.Response:
    """HEAD (a GET for its headers when HEAD is refused), following redirects by hand so each
    hop's host is checked before it is asked (netguard.refusal)."""
    for _ in range(MAX_REDIRECTS + 1):
        if refused := await asyncio.to_thread(netguard.refusal, url, allowed):
            raise Refused(refused)
        response = await client.head(url)
        if response.status_code in HEAD_REFUSED:
            async with client.stream("GET", url) as streamed:  # headers only, no body
                response = streamed
        if not response.is_redirect:
            return response
        url = str(response.next_request.url) if response.next_request else url
        try:
            url = netguard.normalise(url)
        except Invalid:
            raise Refused("It redirects to an address that is not a web address.") from None
    raise httpx.TooManyRedirects("Too many redirects", request=response.request)


class Refused(Exception):
    """The address (or a redirect) points inside a private network: not fetched."""


async def _check_one(client: httpx.AsyncClient, link_id: int, url: str,
                     limit: asyncio.Semaphore, allowed: list) -> Result:
    async with limit:
        try:
            response = await _fetch(client, url, allowed)
            code = response.status_code
            return Result(link_id, code < 400, code, None if code < 400 else f"HTTP {code}")
        except Refused as refused:
            return Result(link_id, False, None, f"Not checked: {refused}"[:200])
        except httpx.TooManyRedirects:
            return Result(link_id, False, None, "Too many redirects")
        except httpx.TimeoutException:
            return Result(link_id, False, None, "Timed out")
        except httpx.HTTPError as error:  # general words: no network details for staff
            return Result(link_id, False, None, f"Could not connect ({type(error).__name__})")


async def _check_all(targets: list[tuple[int, str]], timeout: float, concurrency: int,
                     allowed: list, transport: httpx.AsyncBaseTransport | None = None
                     ) -> list[Result]:
    limit = asyncio.Semaphore(max(1, concurrency))
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False,
                                 transport=transport,
                                 headers={"User-Agent": USER_AGENT}) as client:
        return await asyncio.gather(*(_check_one(client, link_id, url, limit, allowed)
                                      for link_id, url in targets))


def _in_own_loop(targets: list[tuple[int, str]], timeout: float, concurrency: int,
                 allowed: list, transport=None) -> list[Result]:
    """Run the checks on an event loop of their own, in a thread of their own: the caller's
    thread may already be running a loop (a test harness, an async server), where
    asyncio.run() is refused."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="check-links") as pool:
        return pool.submit(lambda: asyncio.run(_check_all(
            targets, timeout, concurrency, allowed, transport))).result()


def check_links(*, timeout: float = 10.0, concurrency: int = 8,
                transport: httpx.AsyncBaseTransport | None = None) -> tuple[int, int, int]:
    """Check every link and record the outcome. Returns (checked, broken, skipped).
    `transport` replaces the network (tests)."""
    rows = db.session.execute(select(LinkEntry.id, LinkEntry.url)).all()
    targets = [(link_id, url) for link_id, url in rows
               if not url.startswith(PLACEHOLDER_PREFIX)]
    db.session.commit()  # end the read transaction before the slow part
    allowed = netguard.allowed_networks()
    results = (_in_own_loop(targets, timeout, concurrency, allowed, transport)
               if targets else [])
    now = clock.now()
    for result in results:
        db.session.execute(update(LinkEntry).where(LinkEntry.id == result.link_id).values(
            health=LinkHealth.OK if result.ok else LinkHealth.BROKEN,
            status_code=result.status_code, check_error=result.error, last_checked_at=now))
    db.session.commit()
    broken = sum(1 for result in results if not result.ok)
    return len(results), broken, len(rows) - len(targets)
