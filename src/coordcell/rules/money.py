"""Money as exact decimals in a currency (pure Python): ISO 4217 codes, minor units,
parsing at the edge, and totals converted at dated rates.

An amount is a ``Decimal`` with no more fractional digits than its currency's minor
units (USD 2, JPY 0, JOD 3, CLF 4), never negative, never NaN or infinite, never a
float: a JSON number with a fraction is refused, because a binary float cannot hold
0.10 exactly. Totals in another currency convert each amount at the latest rate dated
on or before the total's day, and round once, at the end, half to even (banker's
rounding) to the target's minor units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

__all__ = [
    "MAX_AMOUNT",
    "MINOR_UNITS",
    "MoneyError",
    "Rate",
    "convert",
    "parse_amount",
    "parse_currency",
    "parse_rate",
    "quantize",
    "total_in",
]

# ISO 4217 active currency codes and their minor units (the list maintained by SIX,
# amendments to 2025), without the funds and metals that have none (XAU, XDR, …).
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
_TWO = (
    "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP "
    "BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB "
    "EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS "
    "KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN "
    "MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD "
    "SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS "
    "UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG"
)
MINOR_UNITS: Mapping[str, int] = {
    **dict.fromkeys(_TWO.split(), 2),
    **dict.fromkeys(_ZERO.split(), 0),
    **dict.fromkeys(_THREE.split(), 3),
    **dict.fromkeys(_FOUR.split(), 4),
}
#: The largest amount accepted (18 integer digits fit the stored column).
MAX_AMOUNT = Decimal("999999999999999999")


class MoneyError(ValueError):
    """A refused amount, currency or rate: ``code`` and ``params`` for the message."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(code)


def parse_currency(value: object) -> str:
    """An ISO 4217 code, upper case (``"usd"`` → ``"USD"``), or ``MoneyError``."""
    if not isinstance(value, str):
        raise MoneyError("currency_unknown", currency=str(value)[:10])
    code = value.strip().upper()
    if code not in MINOR_UNITS:
        raise MoneyError("currency_unknown", currency=code[:10])
    return code


def parse_amount(value: object, currency: str, *, allow_zero: bool = False) -> Decimal:
    """An exact amount in ``currency`` from a string or an integer, or ``MoneyError``.

    Refused: floats and booleans, text that is not a plain decimal number ("1e3",
    "NaN", "Infinity", "1,000"), negative amounts, zero (unless ``allow_zero``), more
    fractional digits than the currency's minor units, amounts above :data:`MAX_AMOUNT`.
    """
    if isinstance(value, (bool, float)):
        raise MoneyError("amount_float")
    if isinstance(value, (int, Decimal)):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise MoneyError("amount_invalid")
    if not text or any(ch not in "0123456789.-" for ch in text) or text.count(".") > 1:
        raise MoneyError("amount_invalid")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise MoneyError("amount_invalid") from None
    if not amount.is_finite():
        raise MoneyError("amount_invalid")
    if amount < 0:
        raise MoneyError("amount_negative")
    if amount == 0 and not allow_zero:
        raise MoneyError("amount_zero")
    if amount > MAX_AMOUNT:
        raise MoneyError("amount_too_large")
    digits = MINOR_UNITS[currency]
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > digits and amount != amount.quantize(Decimal(1).scaleb(-digits)):
        raise MoneyError("amount_minor_units", currency=currency, digits=digits)
    return quantize(amount, currency)


def quantize(amount: Decimal, currency: str) -> Decimal:
    """``amount`` to ``currency``'s minor units, half to even."""
    return amount.quantize(Decimal(1).scaleb(-MINOR_UNITS[currency]), rounding=ROUND_HALF_EVEN)


def parse_rate(value: object) -> Decimal:
    """A positive conversion rate (a string or an integer; at most 12 decimals)."""
    if isinstance(value, (bool, float)):
        raise MoneyError("amount_float")
    text = value.strip() if isinstance(value, str) else str(value) if isinstance(value, int) else ""
    if not text or any(ch not in "0123456789." for ch in text) or text.count(".") > 1:
        raise MoneyError("rate_invalid")
    rate = Decimal(text)
    exponent = rate.as_tuple().exponent
    assert isinstance(exponent, int)
    if rate <= 0 or -exponent > 12 or rate >= Decimal("1e16"):
        raise MoneyError("rate_invalid")
    return rate


@dataclass(frozen=True)
class Rate:
    """One unit of ``currency`` is ``rate`` units of ``base`` from ``valid_on``."""

    currency: str
    base: str
    rate: Decimal
    valid_on: dt.date
    source: str = ""


def _rate_for(currency: str, base: str, on: dt.date, rates: Sequence[Rate]) -> Rate | None:
    best: Rate | None = None
    for r in rates:
        matches = r.currency == currency and r.base == base and r.valid_on <= on
        if matches and (best is None or r.valid_on > best.valid_on):
            best = r
    return best


def convert(
    amount: Decimal, currency: str, base: str, on: dt.date, rates: Sequence[Rate]
) -> Decimal:
    """``amount`` of ``currency`` in ``base`` on day ``on``, unrounded; ``MoneyError``
    ("no_rate") when no rate is dated on or before that day."""
    if currency == base:
        return amount
    rate = _rate_for(currency, base, on, rates)
    if rate is None:
        raise MoneyError("no_rate", currency=currency, base=base, on=on.isoformat())
    return amount * rate.rate


def total_in(
    amounts: Iterable[tuple[Decimal, str]], base: str, on: dt.date, rates: Sequence[Rate]
) -> tuple[Decimal, list[Rate]]:
    """The sum of ``(amount, currency)`` pairs in ``base`` on day ``on``, rounded once to
    ``base``'s minor units, with the rates it used (to show beside the total)."""
    total = Decimal(0)
    used: dict[tuple[str, str, dt.date], Rate] = {}
    for amount, currency in amounts:
        total += convert(amount, currency, base, on, rates)
        if currency != base:
            rate = _rate_for(currency, base, on, rates)
            assert rate is not None
            used[(rate.currency, rate.base, rate.valid_on)] = rate
    return quantize(total, base), sorted(used.values(), key=lambda r: (r.currency, r.valid_on))
