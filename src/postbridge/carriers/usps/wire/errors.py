"""The one error the wire format raises on its own: USPS sent something that is not its format.

Bad input from our side (a tracking number USPS cannot accept, a parcel over 70 lb) is
``InvalidInput`` with the field's path, like every other input error of the platform.
"""

from __future__ import annotations

from postbridge.errors import PartnerError


class UspsPayloadInvalid(PartnerError):
    """A USPS body that does not parse as the documented schema.

    Not retryable: the same request would get the same body back, and a parser that guesses
    (as the peer's did after USPS's v3 upgrade) turns the fault into silently wrong data.
    """

    code = "usps_payload_invalid"
    title = "USPS sent a payload that does not match its schema"
