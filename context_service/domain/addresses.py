"""Normalising the addresses customers are found by: phones to E.164, emails to lower case."""

import phonenumbers
from flask import current_app


class InvalidAddress(ValueError):
    pass


def _parsed(raw: str, region: str | None) -> phonenumbers.PhoneNumber:
    """A possible phone number written in any formatting, or InvalidAddress."""
    region = region or current_app.config["DEFAULT_PHONE_REGION"]
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidAddress(f"{raw!r} is not a phone number") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidAddress(f"{raw!r} is not a possible phone number")
    return number


def phone_key(raw: str, region: str | None = None) -> str:
    """E.164 form of a phone number written in any formatting."""
    return phonenumbers.format_number(_parsed(raw, region), phonenumbers.PhoneNumberFormat.E164)


def phone_forms(raw: str, region: str | None = None) -> tuple[str, str, str]:
    """(E.164, national number, digits reversed) of a phone number, parsed once: what
    `phone_key` and `phone_digit_forms` give, for bulk imports."""
    number = _parsed(raw, region)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, phonenumbers.national_significant_number(number), e164.lstrip("+")[::-1]


def phone_digit_forms(e164: str) -> tuple[str, str]:
    """(national number, all digits reversed) of an E.164 number: the forms partial digits
    are searched by, as prefixes (domain/customers.py)."""
    national = phonenumbers.national_significant_number(phonenumbers.parse(e164))
    return national, e164.lstrip("+")[::-1]


def email_key(raw: str) -> str:
    return raw.strip().lower()


def address_key(raw: str) -> tuple[str, str] | None:
    """(kind, key) of a contact's from/to address, or None if it is neither."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if "@" in raw:
        # SIP URIs (sip:+4712345678@pbx) carry a phone number before the @.
        user = raw.split("@", 1)[0].removeprefix("sip:").removeprefix("sips:")
        if raw.lower().startswith(("sip:", "sips:")):
            raw = user
        else:
            return ("email", email_key(raw))
    try:
        return ("phone", phone_key(raw.removeprefix("tel:")))
    except InvalidAddress:
        return None


def display_address(raw: str | None) -> str | None:
    """An address as people write it: phones in international format, emails as they are."""
    kind_key = address_key(raw)
    if kind_key is None:
        return (raw or "").strip() or None
    kind, key = kind_key
    if kind == "email":
        return key
    return phonenumbers.format_number(phonenumbers.parse(key),
                                      phonenumbers.PhoneNumberFormat.INTERNATIONAL)
