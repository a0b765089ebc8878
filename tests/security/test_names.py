"""Look-alike names (issue 13, point 3): self-registered display names may not use a role word
(admin, moderator, staff, government, official) nor mix scripts within a word (a Cyrillic "А"
in "Аdmin"); and every new name (registration, a first log-in through an identity provider) is
compared with existing names by UTS #39 confusable skeleton (the prototypes ICU's SpoofChecker
applies, kept in forum/data/confusables.json and checked here against PyICU), stored in
`users.name_skeleton` so the comparison is one indexed query."""
from __future__ import annotations

import random
import sys

import icu
import pytest
from sqlalchemy import select

from forum.accounts import services
from forum import text
from forum.accounts.models import User, name_skeleton
from forum.errors import Invalid
from forum.extensions import db
from tests.factories import PASSWORD


@pytest.mark.parametrize("name", ["Forum Аdmin", "Priya Natarajan Moderator", "Site Admin",
                                  "Government Official", "Staff Desk", "Pаypal Team"])
def test_look_alike_and_role_names_are_refused(client, name):
    response = client.post("/register", data={"display_name": name, "email": "n@example.gov",
                                              "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 200, name
    assert "display_name-error" in response.text or "cannot" in response.text


@pytest.mark.parametrize("name", ["Priya Natarajan", "Admiral Hopper", "José Ortega",
                                  "Ирина Петрова", "Mary-Jane O'Neil"])
def test_ordinary_names_still_register(client, name):
    response = client.post("/register", data={"display_name": name, "email": "n@example.gov",
                                              "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302, name


# An existing name, and names that look the same to a reader without being the same string:
# a Cyrillic letter in a Latin word, whole words in Cyrillic letters that look Latin,
# "rn" for "m", a digit one for "l", a zero for "O", compatibility and full-width forms.
LOOK_ALIKES = [
    ("Forum Admin", "Forum Аdmin"),
    ("Ayo Pace", "Ауо Расе"),
    ("Jim Smith", "Jirn Srnith"),
    ("Lola Hill", "Lola Hi11"),
    ("Owen Cole", "0wen Cole"),
    ("Tom Lee", "Ｔｏｍ Ｌｅｅ"),
]


@pytest.mark.parametrize("existing, typed", LOOK_ALIKES)
def test_a_name_that_looks_like_an_existing_one_is_refused_next_to_the_field(
        client, make, existing, typed):
    make.user(existing)
    response = client.post("/register", data={"display_name": typed, "email": "n@example.gov",
                                              "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 200, typed
    page = response.text
    assert "Error: " in page and "display_name-error" in page
    assert f"looks too much like the name of an existing member, {existing}" in page
    assert f'value="{typed}"' in page  # what was typed stays in the field
    assert 'value="n@example.gov"' in page


def test_the_skeleton_is_stored_and_the_check_is_one_query(app, ctx, make, count_queries):
    member = make.user("Forum Admin")
    assert member.name_skeleton == name_skeleton("Forum Admin") == name_skeleton("forum  аdmin")
    assert name_skeleton("Forum Admin") != name_skeleton("Forum Adam")
    with count_queries() as counter:
        with pytest.raises(Invalid) as refused:
            services.check_new_name("Forum Аdmin")
    assert counter.count == 1
    assert refused.value.field == "display_name"
    with count_queries() as counter:
        assert services.check_new_name("Forum Adam") == "Forum Adam"
    assert counter.count == 1


def test_the_skeleton_column_is_indexed(app, ctx):
    indexes = db.inspect(db.engine).get_indexes("users")
    assert any(index["column_names"] == ["name_skeleton"] for index in indexes)


def test_an_unchanged_exact_name_still_says_taken(client, make):
    make.user("Grace Hopper")
    response = client.post("/register", data={"display_name": "grace hopper",
                                              "email": "n@example.gov",
                                              "password": PASSWORD, "confirm": PASSWORD})
    assert "That display name is taken" in response.text


def test_names_made_by_admins_are_compared_too(app, ctx, make):
    make.user("Forum Admin")
    with pytest.raises(Invalid):
        services.register("Forum Аdmin", "other@example.gov", PASSWORD)
    assert db.session.scalar(select(User.id).where(User.email == "other@example.gov")) is None


def test_the_table_gives_icus_skeleton_for_every_character_and_mixed_strings():
    """forum/data/confusables.json is ICU's SpoofChecker.getSkeleton, character by
    character: the forum's skeleton equals ICU's for every code point and for strings
    mixing scripts, marks and compatibility forms (a stale table after an ICU upgrade fails
    here: regenerate it with forum/data/generate_confusables.py)."""
    checker = icu.SpoofChecker()
    differ = [code for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF
              and text.uts39_skeleton(chr(code)) != checker.getSkeleton(0, chr(code))]
    assert not differ, [hex(code) for code in differ[:20]]
    pool = [chr(code) for code in range(0x20, 0x3000) if not 0xD800 <= code <= 0xDFFF]
    pool += list("аеорсхАВЕКМНОРСТХ́̈Ａａ ")
    chosen = random.Random(39)
    for _ in range(5000):
        sample = "".join(chosen.choice(pool) for _ in range(chosen.randint(1, 16)))
        assert text.uts39_skeleton(sample) == checker.getSkeleton(0, sample), sample


def test_skeletons_are_recomputed_after_an_icu_upgrade(app, make):
    """Unicode's confusables data changes with ICU's releases (a new table): the command
    recomputes every stored skeleton (here, one left stale by hand)."""
    member = make.user("Forum Admin")
    make.user("Jim Smith")
    with app.app_context():
        db.session.execute(db.update(User).where(User.id == member.id)
                           .values(name_skeleton="stale"))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["forum", "recompute-name-skeletons"])
    assert result.exit_code == 0, result.output
    assert "1 of 2 display-name skeletons changed" in result.output
    with app.app_context():
        assert db.session.get(User, member.id).name_skeleton == name_skeleton("Forum Admin")
