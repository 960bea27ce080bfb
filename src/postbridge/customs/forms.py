"""Which customs form a postal item needs: CN22 up to a threshold in SDR, CN23 above.

The value rule is here. The other half of the UPU rule, a CN23 (with continuation sheets) when
the items do not fit the CN22's compact table, depends on the label's layout: booking asks
``postbridge.labels.fit.check_label``, which lays the CN22 out with every item and moves the
parcel to a CN23 when they do not fit. A CN22 never prints "+ N more item(s)".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from postbridge.customs.fx import fx_rate
from postbridge.customs.model import Declaration, FormType
from postbridge.kit.money import Money

# UPU Letter Post Regulations: CN22 for contents up to 300 SDR, CN23 above (postal-standards.md
# 6.1, secondary sources). The lead passes the configured value; this is only the default.
DEFAULT_CN22_LIMIT_SDR = Decimal(300)


def value_in_sdr(declared_value: Money, *, on_date: date) -> Decimal:
    """The value in SDR at the dated planning rate, unrounded (XDR has no minor unit)."""
    rate = fx_rate(declared_value.currency, "XDR", on_date)
    return declared_value.as_decimal() * rate.rate


def form_type(
    declared_value: Money,
    *,
    on_date: date,
    threshold_sdr: int | Decimal = DEFAULT_CN22_LIMIT_SDR,
) -> FormType:
    """CN22 when the declared value is at most ``threshold_sdr`` SDR on ``on_date``, else CN23."""
    if value_in_sdr(declared_value, on_date=on_date) <= Decimal(threshold_sdr):
        return FormType.CN22
    return FormType.CN23


def form_for_declaration(
    declaration: Declaration,
    *,
    on_date: date,
    threshold_sdr: int | Decimal = DEFAULT_CN22_LIMIT_SDR,
) -> FormType:
    """The form for a validated declaration; documents without items travel on a CN22."""
    value = declaration.declared_value
    if value is None:
        return FormType.CN22
    return form_type(value, on_date=on_date, threshold_sdr=threshold_sdr)
