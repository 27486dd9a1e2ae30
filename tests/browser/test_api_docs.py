"""The API documentation page renders from the service alone (issue 13): closed networks."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot


def test_the_docs_page_renders_offline(live_server, new_page):
    page = new_page(viewport={"width": 1280, "height": 900})
    elsewhere = []

    def only_the_service(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_service)
    page.goto(live_server.url + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Customer Context")
    operation = page.locator("#operations-events-postContactEvent")
    expect(operation).to_contain_text("/api/v1/contact-events")
    operation.click()
    expect(operation).to_contain_text("a call answered")  # the examples are there
    screenshot(page, "api-docs")
    assert elsewhere == []
