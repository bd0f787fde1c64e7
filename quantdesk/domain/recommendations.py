"""Target weights of a client's portfolio (pure).

A recommendation gives each tradable symbol a weight: a decimal fraction of the
portfolio's value ("0.25" is 25 %). Whatever the strategy's raw scores, three rules hold:

- no weight is above the client's maximum position weight;
- the weights never sum above 1 minus the cash buffer (the buffer stays cash);
- a symbol with a higher score never gets a lower weight.

Weights are rounded down to ``WEIGHT_STEP`` so rounding can only leave a little more
cash, never spend cash the buffer keeps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_DOWN, Decimal

WEIGHT_STEP = Decimal("0.000001")


def _down(value: Decimal) -> Decimal:
    return value.quantize(WEIGHT_STEP, rounding=ROUND_DOWN)


def capped_weights(
    scores: Mapping[str, Decimal], *, max_position_weight: Decimal, cash_buffer: Decimal
) -> dict[str, Decimal]:
    """Weights proportional to the non-negative ``scores``, each capped at the maximum.

    What a capped symbol cannot take is shared among the others in proportion to their
    scores ("water filling"); when every symbol is at the cap, the rest stays cash.
    """
    if any(score < 0 for score in scores.values()):
        raise ValueError("scores must not be negative")
    if not 0 < max_position_weight <= 1 or not 0 <= cash_buffer < 1:
        raise ValueError("the maximum weight must be in (0, 1] and the cash buffer in [0, 1)")
    weights = dict.fromkeys(scores, Decimal(0))
    investable = 1 - cash_buffer
    open_symbols = [symbol for symbol, score in scores.items() if score > 0]
    while open_symbols and investable > 0:
        total = sum(scores[symbol] for symbol in open_symbols)
        shares = {symbol: investable * scores[symbol] / total for symbol in open_symbols}
        capped = [symbol for symbol in open_symbols if shares[symbol] >= max_position_weight]
        if not capped:
            weights.update(shares)
            break
        for symbol in capped:
            weights[symbol] = max_position_weight
            investable -= max_position_weight
        open_symbols = [symbol for symbol in open_symbols if symbol not in capped]
    return {symbol: _down(weight) for symbol, weight in weights.items()}


def equal_weight(
    symbols: Sequence[str], *, max_position_weight: Decimal, cash_buffer: Decimal
) -> dict[str, Decimal]:
    """The same weight for every symbol: ``(1 - buffer) / n``, capped at the maximum."""
    return capped_weights(
        dict.fromkeys(symbols, Decimal(1)),
        max_position_weight=max_position_weight,
        cash_buffer=cash_buffer,
    )
