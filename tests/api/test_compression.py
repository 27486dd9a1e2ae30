"""Gadget files and API answers travel compressed and are cached (issue 13)."""

import brotli


def test_gadget_files_are_compressed_once_and_cached_by_content(client):
    first = client.get("/gadget/js/app.js", headers={"Accept-Encoding": "gzip, br"})
    assert first.headers["Content-Encoding"] == "br"
    source = brotli.decompress(first.data).decode()
    assert "import" in source and len(first.data) < len(source) / 2
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert "Accept-Encoding" in first.headers["Vary"]
    again = client.get("/gadget/js/app.js", headers={"Accept-Encoding": "gzip, br",
                                                     "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    gzipped = client.get("/gadget/js/app.js", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert gzipped.headers["ETag"] != first.headers["ETag"]  # one tag per encoding
    plain = client.get("/gadget/js/app.js", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.get_data(as_text=True) == source


def test_api_answers_are_compressed_when_worth_it(agent, make_customer):
    for n in range(30):
        make_customer(first_name=f"Ann{n}", last_name="Lindqvist")
    response = agent.get("/api/v1/customers", query_string={"q": "ann"},
                         headers={"Accept-Encoding": "br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert len(brotli.decompress(response.data)) > len(response.data)
