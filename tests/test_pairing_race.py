"""One partner at a time, even when two acceptances land in the same moment (PostgreSQL runs
them truly at once; SQLite has one writer, so only PostgreSQL can show the race)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.keys import prepared_storage

ROUNDS = 12


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_acceptances_at_once_never_make_two_pairings_for_one_person(
    database_url: str, tmp_path: Path
) -> None:
    storage = await prepared_storage(database_url, tmp_path)
    now = datetime.now(UTC)
    later = now + timedelta(hours=1)
    both_paired = 0
    try:
        for round_ in range(ROUNDS):
            alice, bob, carol = (round_ * 10 + n for n in (1, 2, 3))
            await storage.pairing.create_invite(alice, "Alice", f"a{round_}", later)
            await storage.pairing.create_invite(carol, "Carol", f"c{round_}", later)
            await storage.pairing.offer_invite(f"a{round_}", bob, f"key-a{round_}", now)
            await storage.pairing.offer_invite(f"c{round_}", alice, f"key-c{round_}", now)
            # Bob accepts Alice's invite while Alice accepts Carol's.
            results = await asyncio.gather(
                storage.pairing.answer_invite(f"key-a{round_}", bob, "Bob", True, now),
                storage.pairing.answer_invite(f"key-c{round_}", alice, "Alice", True, now),
            )
            accepted = [problem is None for _, problem in results]
            assert any(accepted), results
            both_paired += all(accepted)
            partners = [await storage.pairing.partner_of(person) for person in (bob, carol)]
            assert sum(partner is not None for partner in partners) == 1
    finally:
        await storage.close()
    assert both_paired == 0
