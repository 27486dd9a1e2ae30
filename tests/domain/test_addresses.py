"""Normalising the addresses callers are found by (R1): phones to E.164, emails to lower case."""

import pytest

from context_service.domain.addresses import address_key
from context_service.models import search_key


@pytest.fixture(autouse=True)
def _app_context(app):
    with app.app_context():  # DEFAULT_PHONE_REGION comes from the configuration
        yield


@pytest.mark.parametrize("raw", [
    "+1 (415) 555-0100", "415.555.0100", "(415) 555 0100", "tel:+14155550100",
    "sip:+14155550100@pbx", "SIP:4155550100@pbx.example.com", " 4155550100 ",
])
def test_phone_numbers_in_any_formatting(raw):
    assert address_key(raw) == ("phone", "+14155550100")


def test_numbers_of_other_countries_keep_their_code():
    assert address_key("+47 22 33 44 55") == ("phone", "+4722334455")
    assert address_key("011 47 22 33 44 55") == ("phone", "+4722334455")  # dialled from the US


@pytest.mark.parametrize("app_config", [{"DEFAULT_PHONE_REGION": "NO"}])
def test_the_default_region_is_configurable():
    assert address_key("22 33 44 55") == ("phone", "+4722334455")


def test_emails_in_any_case():
    assert address_key(" Ann.Lee@Example.COM ") == ("email", "ann.lee@example.com")


@pytest.mark.parametrize("raw", [None, "", "   ", "1000x", "anonymous", "12"])
def test_neither_phone_nor_email(raw):
    assert address_key(raw) is None


@pytest.mark.parametrize("parts, key", [
    (("Ann", "Lee"), "ann lee"),
    ((None, "  Van   der  Berg "), "van der berg"),
    (("Øyvind", "ØDEGÅRD"), "øyvind ødegård"),
    (("Straße",), "strasse"),
    ((None, None), ""),
    (("x" * 300,), "x" * 200),
])
def test_name_search_keys(parts, key):
    assert search_key(*parts) == key
