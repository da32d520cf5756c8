"""What the dashboard checks share: the API called directly, Chromium's noise that is not the page's,
and the closing verdict."""
import json
import ssl
import urllib.request


def call(base_url, method, path, body=None, token=None):
    """The API without the browser (setting up accounts and data), trusting the stack's own certificate."""
    request = urllib.request.Request(base_url + "/api/v1" + path, data=None if body is None else json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, context=ssl._create_unverified_context()) as response:
        return json.load(response) if response.status != 204 else None


def host_network_event(text):
    """Chromium reports the host's network changing (podman adding a bridge for a model's container) as
    a failed load; that is the machine's doing, not the page's."""
    return "ERR_NETWORK_CHANGED" in text


def sign_in(browser, base_url, email, password, problems, who="", **context_options):
    """A new browser context signed in as `email`, its console errors and page errors noted as problems."""
    from playwright.sync_api import expect
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900}, **context_options)
    page = context.new_page()
    prefix = f"{who}: " if who else ""
    page.on("console", lambda message: message.type == "error" and not host_network_event(message.text)
            and problems.append(f"{prefix}console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"{prefix}page error: {error}"))
    page.goto(base_url + "/")
    page.fill("#login-email", email)
    page.fill("#login-password", password)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#app-view")).to_be_visible()
    return page


def verdict(problems, name):
    """Prints the problems, or that the check passed; the exit status to return."""
    if problems:
        print("\n".join(problems))
        return 1
    print(f"{name} check passed")
    return 0
