"""Generated residents: Chinese names, mainland mobile numbers and GB 11643 ID numbers.

Everything is drawn from one ``random.Random`` so the demo is the same on every machine. ID numbers
carry a birth date in the person's age band and a 17th digit whose parity matches the gender
(odd = male); the check character comes from ``sifu.core.validators.id_check_char``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sifu.core.validators import id_check_char
from sifu.registry.demo.data import (
    COMPOUND_SURNAMES,
    ELDER_WORDS,
    GIVEN_ELDER,
    GIVEN_FEMALE,
    GIVEN_MALE,
    ID_REGIONS,
    MEN_WORDS,
    PHONE_PREFIXES,
    SURNAMES,
    WOMEN_WORDS,
    YOUNG_WORDS,
)

ID_SHARE = 0.6  # share of people recorded with an ID number
_SURNAME_WEIGHTS = [1 / (i + 4) for i in range(len(SURNAMES))]


@dataclass(frozen=True)
class Traits:
    """Who an organization's members tend to be, read from its name or its ``people`` hint."""

    born: tuple[int, int]  # birth years, inclusive
    female: float  # probability of a woman


def traits_for(name: str, hint: str = "") -> Traits:
    text = f"{name} {hint}"
    if "elder" in hint or any(w in text for w in ELDER_WORDS):
        born = (1945, 1966)
    elif "young" in hint or any(w in text for w in YOUNG_WORDS):
        born = (1980, 2004)
    else:
        born = (1950, 2000)
    if "卡嫂" in text:
        female = 1.0
    elif "women" in hint or any(w in text for w in WOMEN_WORDS):
        female = 0.92
    elif "men" in hint.split() or any(w in text for w in MEN_WORDS):
        female = 0.08
    else:
        female = 0.55
    return Traits(born, female)


class PeopleFactory:
    """Makes unique phones and ID numbers and plausible names."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.phones: set[str] = set()
        self.id_numbers: set[str] = set()

    def name(self, female: bool, born: int) -> str:
        rng = self.rng
        surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.01 else rng.choices(SURNAMES, _SURNAME_WEIGHTS)[0]
        chars = GIVEN_FEMALE if female else GIVEN_MALE
        if born < 1966 and rng.random() < 0.5:
            chars += GIVEN_ELDER
        given = rng.choice(chars)
        if rng.random() < 0.75:
            given += rng.choice(chars)
        return surname + given

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def birth_date(self, born: tuple[int, int]) -> dt.date:
        start = dt.date(born[0], 1, 1)
        days = (dt.date(born[1], 12, 31) - start).days
        return start + dt.timedelta(days=self.rng.randrange(days + 1))

    def id_number(self, birth: dt.date, female: bool) -> str:
        while True:
            order = self.rng.randrange(100) * 10 + self.rng.choice((0, 2, 4, 6, 8) if female else (1, 3, 5, 7, 9))
            first17 = f"{self.rng.choice(ID_REGIONS)}{birth:%Y%m%d}{order:03d}"
            number = first17 + id_check_char(first17)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number
