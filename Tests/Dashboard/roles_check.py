"""Every page of the dashboard, for every role, in real Chromium: a screenshot of each, no console
error, and an axe-core scan (axe-playwright-python) with no serious or critical violation. Also the
keyboard: the sections are reachable with Tab alone.

Usage: roles_check.py BASE_URL ADMIN_EMAIL ADMIN_PASSWORD SCREENSHOT_DIR
"""
import sys
import uuid

from axe_playwright_python.sync_playwright import Axe
from browser_support import call, host_network_event, verdict
from playwright.sync_api import expect, sync_playwright

PAGES = ["dashboard", "analyses", "calculations", "calculations/new", "molecules", "models", "clusters", "logs", "users", "account"]


def main(base_url, admin_email, admin_password, screenshots):
    problems = []
    admin = call(base_url, "POST", "/auth/login", {"email": admin_email, "password": admin_password})["access_token"]
    accounts = {"admin": (admin_email, admin_password)}
    for role in ("moderator", "user"):
        email = f"{role}-{uuid.uuid4().hex[:6]}@calcflow.test"
        call(base_url, "POST", "/users", {"email": email, "name": f"A {role}", "role": role, "password": "a long enough password"}, admin)
        accounts[role] = (email, "a long enough password")
    # Something on each page: a cluster, a molecule, a calculation.
    cluster = call(base_url, "POST", "/clusters", {"name": f"roles-{uuid.uuid4().hex[:6]}", "description": "role check"}, admin)
    call(base_url, "POST", "/molecules", {"name": "water", "structure": {"format": "xyz", "text": "3\n\nO 0 0 0.117\nH 0 0.757 -0.467\nH 0 -0.757 -0.467"}}, admin)

    axe = Axe()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for role, (email, password) in accounts.items():
            for scheme in ("light", "dark") if role == "user" else ("light",):
                context = browser.new_context(ignore_https_errors=True, viewport={"width": 1024, "height": 768}, color_scheme=scheme)
                page = context.new_page()
                page.on("console", lambda message, role=role: message.type == "error" and not host_network_event(message.text)
                        and problems.append(f"{role}: console: {message.text}"))
                page.on("pageerror", lambda error, role=role: problems.append(f"{role}: page error: {error}"))
                page.goto(base_url + "/")
                page.fill("#login-email", email)
                page.fill("#login-password", password)
                page.keyboard.press("Enter")
                expect(page.locator("#app-view")).to_be_visible()
                expect(page.locator("#section h2").first).to_be_visible()
                page.wait_for_load_state("networkidle")
                # The keyboard reaches the sections: Tab from the brand link lands on the first section.
                page.locator("a.brand").focus()
                page.keyboard.press("Tab")
                focused = page.evaluate("document.activeElement.textContent")
                if focused != "Dashboard":
                    problems.append(f"{role}: Tab after the brand focuses {focused!r}, not the first section")
                for path in PAGES + [f"clusters/{cluster['id']}"]:
                    page.goto(f"{base_url}/#/{path}")
                    expect(page.locator("#section h2, #section h3").first).to_be_visible()
                    page.wait_for_load_state("networkidle")
                    if page.locator("#section .card h3:text-is('This page could not load')").count():
                        problems.append(f"{role}: #/{path} could not load: {page.locator('#section .error').first.inner_text()}")
                    name = f"{path.replace('/', '-')}-{role}{'-dark' if scheme == 'dark' else ''}"
                    page.screenshot(path=f"{screenshots}/{name}.png", full_page=True)
                    results = axe.run(page)
                    for violation in results.response["violations"]:
                        if violation["impact"] in ("serious", "critical"):
                            targets = [node["target"] for node in violation["nodes"][:3]]
                            problems.append(f"{role} {scheme}: #/{path}: {violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
                context.close()
        browser.close()
    return verdict(problems, "roles")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
