"""Kubernetes resource quantities (``"500m"``, ``"16Gi"``, ``"1e3"``), exactly as v1.37 has them.

Every request, limit, allocatable figure and quota in the embedded cluster is a quantity, and
the scheduler, admission, quota and the renderers must all read and print them the way the
real API server does, down to its quirks. This module ports
``k8s.io/apimachinery/pkg/api/resource`` at v0.37.2 (Kubernetes v1.37): ``quantity.go``
(``ParseQuantity``, ``CanonicalizeBytes``, ``String``, ``Add``/``Sub``/``Neg``/``Cmp``,
``ScaledValue``), ``suffix.go`` (suffix interpretation and construction), ``amount.go`` and
``math.go`` (the ``int64Amount`` fast path with its int64 overflow rules) and ``scale_int.go``
(``scaledValue`` for the ``inf.Dec`` path). It is pure standard library and never uses floats.

Upstream keeps a quantity either as an ``int64Amount`` (value * 10^scale, both machine
integers) or as an ``inf.Dec``; which one a quantity uses is invisible except in
``ScaledValue``, whose rounding of negative numbers and behaviour on int64 overflow differ
between the two. To match upstream exactly, :class:`Quantity` remembers which backing upstream
would use and replays its integer arithmetic. Other upstream quirks kept on purpose:

- ``str()`` of a parsed quantity is the input itself when upstream's cheap "already
  canonical" test accepts it, so ``"+1"`` prints ``+1`` and ``"1.500"`` prints ``1.500``;
  :meth:`Quantity.canonical` always recomputes the canonical form.
- A decimal exponent beyond int32 wraps (``"1e4294967297"`` is ten).
- A canonical exponent with no suffix prints no suffix (``"1000E"`` prints ``1``).
- ``value()``/``milli_value()`` overflow the way upstream's int64 does (``"12E"`` has value 0).

Deliberate differences, none reachable with realistic input: where v1.37 would hang building a
huge power of ten for a tiny exponent (``"1e-2147483647"``) the amount is rounded up to ``1n``
at once, as later upstream does; the ``from_*`` constructors accept integers beyond int64 and
keep them exact; and :class:`Format` cannot hold the invalid format strings Go lets a caller
set (upstream prints those as ``DecimalExponent``).
"""

from __future__ import annotations

import decimal
import enum
import functools
import re
from fractions import Fraction
from typing import Any

__all__ = [
    "ERR_FORMAT_WRONG",
    "ERR_NUMERIC",
    "ERR_SUFFIX",
    "Format",
    "Quantity",
    "QuantityError",
    "milli_value_of",
    "parse_quantity",
    "round_up_milli",
    "value_of",
]

_SPLIT_RE_STRING = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
ERR_FORMAT_WRONG = f"quantities must match the regular expression '{_SPLIT_RE_STRING}'"
ERR_NUMERIC = "unable to parse numeric part of quantity"
ERR_SUFFIX = "unable to parse quantity's suffix"


class QuantityError(ValueError):
    """A string is not a Kubernetes quantity; the message is upstream's error text."""


class Format(enum.StrEnum):
    """How a quantity prints its suffix (``resource.Format``)."""

    DecimalExponent = "DecimalExponent"  # e.g. 12e6
    BinarySI = "BinarySI"  # e.g. 12Mi (12 * 2^20)
    DecimalSI = "DecimalSI"  # e.g. 12M (12 * 10^6)


# --- Go integer semantics (math.go) -------------------------------------------------------

_MOST_POSITIVE = (1 << 63) - 1
_MOST_NEGATIVE = -(1 << 63)
_NANO = -9
_MAX_INT64_FACTORS = 18
_PLAIN_INT_DIGITS = 4000  # below CPython's int <-> str conversion limit


def _pow10(n: int) -> int:
    """10^n for n >= 0, typed as int (``int ** int`` is ``Any`` to mypy)."""
    return int(10**n)


def _wrap64(x: int) -> int:
    return ((x + (1 << 63)) & ((1 << 64) - 1)) - (1 << 63)


def _wrap32(x: int) -> int:
    return ((x + (1 << 31)) & ((1 << 32) - 1)) - (1 << 31)


def _tdiv(a: int, b: int) -> tuple[int, int]:
    """Go's truncated division: quotient and remainder with the dividend's sign."""
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        q = -q
    return q, a - q * b


def _big_int64(x: int) -> int:
    """``big.Int.Int64()``: the low 64 bits of the magnitude, then the sign."""
    v = _wrap64(abs(x) & ((1 << 64) - 1))
    return _wrap64(-v) if x < 0 else v


def _multiply_scale(a: int, b: int) -> tuple[int, bool]:
    """``int64MultiplyScale`` (and its *10/*100/*1000 variants): a*b for b > 1."""
    if a in (0, 1):
        return a * b, True
    if a == _MOST_NEGATIVE:
        return 0, False
    c = _wrap64(a * b)
    return c, _tdiv(c, b)[0] == a


def _int64_multiply(a: int, b: int) -> tuple[int, bool]:
    if a in (0, 1) or b in (0, 1):
        return _wrap64(a * b), True
    if _MOST_NEGATIVE in (a, b):
        return 0, False
    c = _wrap64(a * b)
    return c, _tdiv(c, b)[0] == a


def _int64_add(a: int, b: int) -> tuple[int, bool]:
    c = _wrap64(a + b)
    if a > 0 and b > 0 and c < 0:
        return 0, False
    if a < 0 and b < 0 and (c > 0 or a == b == _MOST_NEGATIVE):
        return 0, False
    return c, True


def _positive_scale_int64(base: int, scale: int) -> tuple[int, bool]:
    """``positiveScaleInt64``: base * 10^scale, wrapped (or 0) with ok=False on overflow."""
    if scale == 0:
        return base, True
    if scale in (1, 2, 3, 6, 9):
        return _multiply_scale(base, _pow10(scale))
    if base == 0:
        return 0, True  # upstream loops `scale` times to the same answer
    value = base
    for _ in range(scale):
        value, ok = _multiply_scale(value, 10)
        if not ok:
            return 0, False
    return value, True


def _negative_scale_int64(base: int, scale: int) -> tuple[int, bool]:
    """``negativeScaleInt64``: base / 10^scale rounded away from zero, and whether exact."""
    if scale == 0:
        return base, True
    value = base
    fraction = False
    for _ in range(scale):
        if not fraction and _tdiv(value, 10)[1] != 0:
            fraction = True
        value = _tdiv(value, 10)[0]
        if value == 0:
            if fraction:
                return (1 if base > 0 else -1), False
            return 0, True
    if fraction:
        value = value + 1 if base > 0 else value - 1
    return value, not fraction


def _int_amount_add(av: int, ascale: int, bv: int, bscale: int) -> tuple[int, int] | None:
    """``int64Amount.Add``: the sum as (value, scale), or None when upstream falls back."""
    if bv == 0:
        return av, ascale
    if av == 0:
        return bv, bscale
    if ascale == bscale:
        c, ok = _int64_add(av, bv)
        return (c, ascale) if ok else None
    if ascale > bscale:
        c, ok = _positive_scale_int64(av, _wrap32(ascale - bscale))
        if not ok:
            return None
        c, ok = _int64_add(c, bv)
        return (c, bscale) if ok else None
    c, ok = _positive_scale_int64(bv, _wrap32(bscale - ascale))
    if not ok:
        return None
    c, ok = _int64_add(av, c)
    return (c, ascale) if ok else None


def _pow10_int64(n: int) -> int:
    """``int64(math.Pow10(n))`` for n > 0 on amd64 (out-of-range floats become MinInt64)."""
    return _pow10(n) if n <= 18 else _MOST_NEGATIVE


def _dec_scaled_value(unscaled: int, dif: int) -> int:
    """``scaledValue`` in scale_int.go; ``dif`` is the inf.Dec scale minus the target."""
    if dif == 0:
        return _big_int64(unscaled)
    if dif < 0:
        return _wrap64(_big_int64(unscaled) * _pow10_int64(-dif))
    if unscaled < _MOST_POSITIVE and dif < 19:
        result, mod = _tdiv(_big_int64(unscaled), _pow10(dif))
        return result + 1 if mod != 0 else result
    if dif >= abs(unscaled).bit_length():  # 10^dif > |unscaled|: skip building 10^dif
        result, remainder = (0 if unscaled >= 0 else -1), unscaled
    else:
        result, remainder = divmod(unscaled, _pow10(dif))  # Euclidean, like big.Int.DivMod
    if remainder != 0:
        return _wrap64(_big_int64(result) + 1)
    return _big_int64(result)


# --- exact decimal helpers -------------------------------------------------------------------


def _digits_to_int(digits: str) -> int:
    if len(digits) <= _PLAIN_INT_DIGITS:
        return int(digits)
    return int(decimal.Decimal(digits))


def _int_to_digits(n: int) -> str:
    if n.bit_length() <= _PLAIN_INT_DIGITS * 3:
        return str(n)
    return str(decimal.Decimal(n))


def _strip_tens(u: int, e: int) -> tuple[int, int]:
    """(u, e) with the factors of ten moved from u into e; zero becomes (0, 0)."""
    if u == 0:
        return 0, 0
    while u % 10**16 == 0:
        u //= 10**16
        e += 16
    while u % 10 == 0:
        u //= 10
        e += 1
    return u, e


def _cmp_magnitude(a: int, ae: int, b: int, be: int) -> int:
    """Compare a*10^ae with b*10^be for a, b >= 0 without building huge powers."""
    if a == 0 or b == 0:
        return (a > 0) - (b > 0)
    d = ae - be
    if d >= 0:
        if d > b.bit_length():
            return 1
        x, y = a * _pow10(d), b
    else:
        if -d > a.bit_length():
            return -1
        x, y = a, b * _pow10(-d)
    return (x > y) - (x < y)


def _cmp(a: int, ae: int, b: int, be: int) -> int:
    sa, sb = (a > 0) - (a < 0), (b > 0) - (b < 0)
    if sa != sb:
        return 1 if sa > sb else -1
    if sa == 0:
        return 0
    return sa * _cmp_magnitude(abs(a), ae, abs(b), be)


def _ceil_to_scale(magnitude: int, exp: int, target: int) -> int:
    """ceil(magnitude * 10^exp / 10^target) for magnitude > 0 (``inf.RoundUp``)."""
    if exp >= target:
        return magnitude * _pow10(exp - target)
    k = target - exp
    if k > magnitude.bit_length():
        return 1
    q, r = divmod(magnitude, _pow10(k))
    return q + 1 if r else q


# --- suffixes (suffix.go) -------------------------------------------------------------------

_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9}
_DECIMAL_SUFFIXES.update({"T": 12, "P": 15, "E": 18})
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_BY_EXPONENT = {e: s for s, e in _DECIMAL_SUFFIXES.items()}
_BINARY_BY_EXPONENT = {e: s for s, e in _BINARY_SUFFIXES.items()}
_GO_INT = re.compile(r"[+-]?([0-9]+)")


def _interpret(suffix: str) -> tuple[int, int, Format] | None:
    """``suffixHandler.interpret``: (base, exponent, format), or None."""
    if suffix in _DECIMAL_SUFFIXES:
        return 10, _DECIMAL_SUFFIXES[suffix], Format.DecimalSI
    if suffix in _BINARY_SUFFIXES:
        return 2, _BINARY_SUFFIXES[suffix], Format.BinarySI
    if len(suffix) > 1 and suffix[0] in "eE":
        match = _GO_INT.fullmatch(suffix[1:])
        if match is None or len(match.group(1).lstrip("0")) > 19:
            return None
        parsed = int(suffix[1:])
        if not _MOST_NEGATIVE <= parsed <= _MOST_POSITIVE:
            return None
        return 10, _wrap32(parsed), Format.DecimalExponent  # int32(parsed), as upstream
    return None


def _decimal_suffix(exponent: int, fmt: Format) -> str:
    """``constructBytes(10, exponent, fmt)``; a missing suffix is empty, as upstream."""
    if fmt is Format.DecimalSI:
        return _DECIMAL_BY_EXPONENT.get(exponent, "")
    return "" if exponent == 0 else f"e{exponent}"


# --- the quantity ---------------------------------------------------------------------------


class Quantity:
    """An exact, immutable Kubernetes quantity (``resource.Quantity``).

    Equality, ordering and hashing go by amount (``Cmp``): ``parse_quantity("1k") ==
    parse_quantity("1e3")``. The format only decides how the quantity prints.
    """

    __slots__ = ("_dec", "_e", "_format", "_key", "_s", "_u")

    _u: int  # int64Amount.value, or the inf.Dec unscaled value
    _e: int  # power of ten: int64Amount.scale, or minus the inf.Dec scale
    _dec: bool  # upstream would hold this quantity as an inf.Dec
    _format: Format
    _s: str | None  # upstream's cached string, when parsing kept the input
    _key: tuple[int, int] | None

    def __init__(self) -> None:
        raise TypeError("use parse_quantity() or a Quantity.from_* constructor")

    @classmethod
    def _make(cls, u: int, e: int, fmt: Format, *, dec: bool, s: str | None = None) -> Quantity:
        q = object.__new__(cls)
        set_ = object.__setattr__
        set_(q, "_u", u)
        set_(q, "_e", e)
        set_(q, "_dec", dec)
        set_(q, "_format", fmt)
        set_(q, "_s", s)
        set_(q, "_key", None)
        return q

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Quantity is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Quantity is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (self._u, self._e, self._format.value, self._dec, self._s))

    def __copy__(self) -> Quantity:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Quantity:
        return self

    # constructors (NewQuantity, NewMilliQuantity, NewScaledQuantity, NewDecimalQuantity)

    @classmethod
    def _scaled(cls, value: int, scale: int, fmt: Format) -> Quantity:
        if _MOST_NEGATIVE <= value <= _MOST_POSITIVE:
            return cls._make(value, scale, fmt, dec=False)
        return cls._make(value, scale, fmt, dec=True)  # beyond int64: inf.Dec, exact

    @classmethod
    def from_int(cls, value: int, fmt: Format = Format.DecimalSI) -> Quantity:
        """``NewQuantity(value, fmt)``; values beyond int64 stay exact."""
        return cls._scaled(value, 0, fmt)

    @classmethod
    def from_milli(cls, value: int, fmt: Format = Format.DecimalSI) -> Quantity:
        """``NewMilliQuantity(value, fmt)``: value thousandths."""
        return cls._scaled(value, -3, fmt)

    @classmethod
    def from_scaled(cls, value: int, scale: int) -> Quantity:
        """``NewScaledQuantity(value, scale)``: value * 10^scale, DecimalSI."""
        return cls._scaled(value, scale, Format.DecimalSI)

    @classmethod
    def from_fraction(cls, value: Fraction | int, fmt: Format = Format.DecimalSI) -> Quantity:
        """``NewDecimalQuantity``: an exact decimal amount; raises ValueError for 1/3 and such."""
        f = Fraction(value)
        den, twos, fives = f.denominator, 0, 0
        while den % 2 == 0:
            den, twos = den // 2, twos + 1
        while den % 5 == 0:
            den, fives = den // 5, fives + 1
        if den != 1:
            raise ValueError(f"{f} has no exact decimal representation")
        places = max(twos, fives)
        u, e = _strip_tens(f.numerator * _pow10(places) // f.denominator, -places)
        return cls._make(u, e, fmt, dec=True)

    # accessors

    @property
    def format(self) -> Format:
        """The format this quantity prints in (``q.Format``)."""
        return self._format

    def is_zero(self) -> bool:
        """``IsZero``."""
        return self._u == 0

    def sign(self) -> int:
        """``Sign``: -1, 0 or 1."""
        return (self._u > 0) - (self._u < 0)

    def as_fraction(self) -> Fraction:
        """The exact amount."""
        if self._e >= 0:
            return Fraction(self._u * _pow10(self._e))
        return Fraction(self._u, _pow10(-self._e))

    def scaled_value(self, scale: int) -> int:
        """``ScaledValue(scale)``: the amount in units of 10^scale, rounded up, as int64.

        Exactly upstream, including its int64 overflow and, for quantities upstream holds as
        an ``inf.Dec``, its rounding of negative amounts toward zero-plus-one.
        """
        scale = _wrap32(scale)  # Scale is an int32, and so is every difference of two
        if self._dec:
            return _dec_scaled_value(self._u, -self._e - _wrap32(-scale))
        if self._e < scale:
            return _negative_scale_int64(self._u, _wrap32(scale - self._e))[0]
        return _positive_scale_int64(self._u, _wrap32(self._e - scale))[0]

    def value(self) -> int:
        """``Value()``: ``scaled_value(0)``."""
        return self.scaled_value(0)

    def milli_value(self) -> int:
        """``MilliValue()``: ``scaled_value(-3)``."""
        return self.scaled_value(-3)

    def round_up(self, scale: int) -> Quantity:
        """``RoundUp(scale)``: at most ``scale`` precision, rounded away from zero.

        Like upstream, a quantity already that coarse is returned as is (keeping a cached
        input string); compare the result with ``self`` to learn whether it was exact.
        """
        if self._dec:
            magnitude = _ceil_to_scale(abs(self._u), self._e, scale) if self._u else 0
            u = magnitude if self._u >= 0 else -magnitude
            return Quantity._make(u, scale, self._format, dec=True)
        if self._e >= scale:
            return self
        u = _negative_scale_int64(self._u, scale - self._e)[0]
        return Quantity._make(u, scale, self._format, dec=False)

    # arithmetic (Add, Sub, Neg); the result takes the other operand's format when self is 0

    def __add__(self, other: object) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        fmt = other._format if self._u == 0 else self._format
        if not self._dec and not other._dec:
            summed = _int_amount_add(self._u, self._e, other._u, other._e)
            if summed is not None:
                return Quantity._make(summed[0], summed[1], fmt, dec=False)
        return Quantity._dec_combine(self, other._u, other._e, fmt)

    def __sub__(self, other: object) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        fmt = other._format if self._u == 0 else self._format
        if not self._dec and not other._dec:
            summed = _int_amount_add(self._u, self._e, _wrap64(-other._u), other._e)
            if summed is not None:
                return Quantity._make(summed[0], summed[1], fmt, dec=False)
        return Quantity._dec_combine(self, -other._u, other._e, fmt)

    @staticmethod
    def _dec_combine(a: Quantity, bu: int, be: int, fmt: Format) -> Quantity:
        """``inf.Dec.Add``: align both to the finer scale, then add exactly."""
        e = min(a._e, be)
        u = a._u * _pow10(a._e - e) + bu * _pow10(be - e)
        return Quantity._make(u, e, fmt, dec=True)

    def __neg__(self) -> Quantity:
        u = -self._u if self._dec else _wrap64(-self._u)
        return Quantity._make(u, self._e, self._format, dec=self._dec)

    # comparison (Cmp)

    def cmp(self, other: Quantity) -> int:
        """``Cmp``: -1, 0 or 1."""
        return _cmp(self._u, self._e, other._u, other._e)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.cmp(other) == 0

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.cmp(other) < 0

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.cmp(other) <= 0

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.cmp(other) > 0

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.cmp(other) >= 0

    def __hash__(self) -> int:
        if self._key is None:
            object.__setattr__(self, "_key", _strip_tens(self._u, self._e))
        return hash(self._key)

    # printing (String, CanonicalizeBytes, MarshalJSON)

    def canonical(self) -> str:
        """``CanonicalizeBytes``: the canonical form, never the cached input."""
        if self._u == 0:
            return "0"
        u, e = _strip_tens(self._u, self._e)
        fmt = self._format
        if fmt is Format.BinarySI:
            small = _cmp(self._u, self._e, -1024, 0) > 0 and _cmp(self._u, self._e, 1024, 0) < 0
            if not small and e >= 0:
                return _binary_canonical(u, e)
            fmt = Format.DecimalSI  # below 1Ki, or not a whole number: no rounding
        shift = e % 3  # down to a multiple of three, like AsCanonicalBytes
        sign = "-" if u < 0 else ""
        number = _int_to_digits(abs(u) * _pow10(shift))
        return f"{sign}{number}{_decimal_suffix(e - shift, fmt)}"

    def __str__(self) -> str:
        """``String()``: the input when parsing kept it, else :meth:`canonical`."""
        return self._s if self._s is not None else self.canonical()

    def to_json(self) -> str:
        """The wire form (``MarshalJSON`` without the quotes)."""
        return str(self)

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"


def _binary_canonical(u: int, e: int) -> str:
    """``AsCanonicalBase1024Bytes`` plus the binary suffix, for a whole amount."""
    n = abs(u) * _pow10(e)
    times = 0
    while n >= 1024 and n % 1024 == 0:
        n //= 1024
        times += 1
    sign = "-" if u < 0 else ""
    return f"{sign}{_int_to_digits(n)}{_BINARY_BY_EXPONENT.get(times * 10, '')}"


def _restore(u: int, e: int, fmt: str, dec: bool, s: str | None) -> Quantity:
    return Quantity._make(u, e, Format(fmt), dec=dec, s=s)


# --- parsing (parseQuantityString, ParseQuantity) ----------------------------------------------

# The scanner upstream writes by hand: sign, digits, optional fraction, then a suffix made of
# suffix letters, an optional sign and digits. Each part is possessive, as upstream's loops
# are: no backtracking, so a long invalid input fails in linear time.
_SCAN = re.compile(r"([+-]?+)([0-9]*+)(?:(\.)([0-9]*+))?+([eEinumkKMGTP]*+[-+]?+[0-9]*+)")


def parse_quantity(s: str) -> Quantity:
    """``ParseQuantity``: parse a quantity string or raise :class:`QuantityError`."""
    if not s:
        raise QuantityError(ERR_FORMAT_WRONG)
    if s == "0":
        return Quantity._make(0, 0, Format.DecimalSI, dec=False, s="0")
    match = _SCAN.fullmatch(s)
    if match is None:
        raise QuantityError(ERR_FORMAT_WRONG)
    sign, int_digits, _, denom_or_none, suffix = match.groups()
    denom = denom_or_none or ""
    positive = sign != "-"
    num = int_digits.lstrip("0") or "0"

    interpreted = _interpret(suffix)
    if interpreted is None:
        raise QuantityError(ERR_SUFFIX)
    base, exponent, fmt = interpreted

    # 1. The int64 fast path, taken when the digits surely fit.
    mantissa = 1
    if fmt is Format.BinarySI:
        scale = 0
        if exponent >= 0 and not denom:
            mantissa = 1 << exponent
            precision = 15 - len(num) - exponent * 3 // 10 - 1
        else:
            precision = -1
    else:
        scale = exponent
        precision = _MAX_INT64_FACTORS - (len(num) + len(denom))
    if precision >= 0:
        scale = _wrap32(scale - len(denom))
        if scale >= _NANO:
            shifted = num + denom
            value = int(shifted)
            result, ok = _int64_multiply(value, mantissa)
            if ok:
                if not positive:
                    result = -result
                if fmt is Format.BinarySI:
                    reuse = exponent % 10 == 0 and value & 0x07 != 0
                else:
                    reuse = scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"
                return Quantity._make(result, scale, fmt, dec=False, s=s if reuse else None)

    # 2. The inf.Dec path: exact, rounded up to 1n, BinarySI capped at 2^63-1.
    if not int_digits and not denom:
        raise QuantityError(ERR_NUMERIC)
    magnitude = _digits_to_int(int_digits + denom)
    inf_scale = len(denom)
    if base == 10:
        inf_scale = _wrap32(inf_scale + _wrap32(-exponent))
    else:
        magnitude <<= exponent
    exp = -inf_scale
    if magnitude != 0:
        magnitude, exp = _ceil_to_scale(magnitude, exp, _NANO), _NANO
    if fmt is Format.BinarySI:
        if _cmp_magnitude(magnitude, exp, _MOST_POSITIVE, 0) > 0:
            magnitude, exp = _MOST_POSITIVE, 0
        if magnitude != 0 and _cmp_magnitude(magnitude, exp, 1, 0) < 0:
            fmt = Format.DecimalSI
    return Quantity._make(magnitude if positive else -magnitude, exp, fmt, dec=True)


# --- hot-path helpers -------------------------------------------------------------------------


def round_up_milli(q: Quantity) -> Quantity:
    """``q.RoundUp(resource.Milli)``, as ``SetDefaults_ResourceList`` applies it."""
    return q.round_up(-3)


@functools.lru_cache(maxsize=8192)
def milli_value_of(s: str) -> int:
    """``MustParse(s).MilliValue()``, memoised for the scheduler's inner loops."""
    return parse_quantity(s).milli_value()


@functools.lru_cache(maxsize=8192)
def value_of(s: str) -> int:
    """``MustParse(s).Value()``, memoised for the scheduler's inner loops."""
    return parse_quantity(s).value()
