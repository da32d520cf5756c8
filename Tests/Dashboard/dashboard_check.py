"""Drives the dashboard in real Chromium, as a scientist would: sign in, look around, add a user,
sign in as that user, reload. Exits non-zero with the failing step on any mismatch.

Usage: dashboard_check.py BASE_URL ADMIN_EMAIL ADMIN_PASSWORD SCREENSHOT_DIR
"""
import json
import ssl
import sys
import urllib.request
import uuid

from browser_support import host_network_event, verdict
from playwright.sync_api import expect, sync_playwright

SECTIONS = ["Dashboard", "Analyses", "Calculations", "Molecules", "Models", "Clusters", "Logs", "Users"]


def main(base_url, admin_email, admin_password, screenshots):
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        # The only 401 expected is the wrong password's; anything else, a CSP violation above all, is a
        # problem. The first load of a browser that never signed in logs nothing at all.
        console = []
        page.on("console", lambda message: message.type == "error" and not host_network_event(message.text) and console.append(message.text))
        page.on("console", lambda message: message.type == "error" and "status of 401" not in message.text
                and not host_network_event(message.text) and problems.append(f"console: {message.text}"))
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

        page.goto(base_url + "/")
        expect(page.locator("#login-form")).to_be_visible()
        page.wait_for_load_state("networkidle")
        if console:
            problems.append(f"the first load logged to the console: {console}")
        page.screenshot(path=f"{screenshots}/login.png")

        page.fill("#login-email", admin_email)
        page.fill("#login-password", "not the password")
        page.click("#login-form button[type=submit]")
        expect(page.locator("#login-error")).to_have_text("wrong email or password")

        page.fill("#login-password", admin_password)
        page.click("#login-form button[type=submit]")
        expect(page.locator("#app-view")).to_be_visible()
        expect(page.locator("#nav a")).to_have_text(SECTIONS)
        expect(page.locator("#section")).to_contain_text("Hello, ")
        expect(page.locator("#section")).to_contain_text("Healthy")
        page.screenshot(path=f"{screenshots}/dashboard-admin.png")

        for title in SECTIONS:
            page.click(f"#nav a:text-is('{title}')")
            expect(page.locator("#section h2").first).to_be_visible()
            expect(page.locator(f"#nav a.active")).to_have_text(title)

        # A cluster, its key (shown once), a heartbeat from "its agent", and the graphs (Chart.js under the CSP).
        page.click("#nav a:text-is('Clusters')")
        expect(page.locator("#section h2").first).to_have_text("Clusters")
        cluster_name = f"hpc-{uuid.uuid4().hex[:6]}"
        form = page.locator("#section form")
        form.locator("input").first.fill(cluster_name)
        form.locator("button[type=submit]").click()
        page.get_by_role("link", name=cluster_name).click()
        page.once("dialog", lambda dialog: dialog.accept("browser test"))
        page.click("#section button:text-is('Issue a key')")
        key = page.locator("#section code").first.inner_text()
        assert key.startswith("ck_"), key
        heartbeat = json.dumps({"cpu_percent": 37.5, "load_1m": 0.9, "memory_used_bytes": 3 * 2**30, "memory_total_bytes": 8 * 2**30,
                                "disk_free_bytes": 40 * 2**30, "disk_total_bytes": 100 * 2**30, "running": [], "agent_version": "browser-test"}).encode()
        request = urllib.request.Request(base_url + "/api/v1/agent/heartbeat", data=heartbeat, method="POST",
                                         headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        urllib.request.urlopen(request, context=ssl._create_unverified_context()).read()
        page.reload()
        expect(page.locator("#section .badge.ok").first).to_have_text("online")
        expect(page.locator("#section canvas")).to_have_count(3)
        page.screenshot(path=f"{screenshots}/cluster-admin.png")

        # That cluster's agent reports xtb; a scientist adds a molecule and a calculation on it.
        capabilities = json.dumps({"engines": [{"name": "xtb", "version": "6.5.1", "analyses": [
            {"name": "scf", "requires": [], "description": "SCC"}, {"name": "total_energy", "requires": ["scf"], "description": "eV"}]}]}).encode()
        urllib.request.urlopen(urllib.request.Request(base_url + "/api/v1/agent/capabilities", data=capabilities, method="PUT",
                                                      headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"}),
                               context=ssl._create_unverified_context()).read()
        page.click("#nav a:text-is('Molecules')")
        expect(page.locator("#section h2").first).to_have_text("Molecules")
        molecule = page.locator("#section form").last
        molecule.locator("input").first.fill("Water")
        molecule.locator("textarea").fill("3\nwater\nO 0.0 0.0 0.117\nH 0.0 0.757 -0.467\nH 0.0 -0.757 -0.467")
        molecule.locator("button[type=submit]").click()
        expect(page.locator("#section table")).to_contain_text("H2O")

        page.click("#nav a:text-is('Calculations')")
        expect(page.locator("#section")).to_contain_text("Nothing yet")
        page.click("#section a:text-is('New calculation')")
        expect(page.locator("#section h3").last).to_have_text("New calculation")
        create = page.locator("#section form").last
        create.locator("input").first.fill("Water single point")
        create.locator("select").nth(0).select_option(label=cluster_name)
        create.locator("select").nth(1).select_option("xtb")
        create.locator("select").nth(2).select_option(label="Water (H2O)")
        create.locator("button[type=submit]").click()
        expect(page.locator("#section h2")).to_contain_text("Water single point")
        expect(page.locator("#section .badge").first).to_have_text("queued")
        calculation_url = page.url
        page.screenshot(path=f"{screenshots}/calculation-admin.png")
        page.click("#section button:text-is('Cancel')")
        expect(page.locator("#section .badge").first).to_have_text("cancelled")
        page.click("#nav a:text-is('Analyses')")
        # The catalog, the last table (results and what the clusters spent come before it when there are any).
        expect(page.locator("#section table").last).to_contain_text("total_energy")

        page.click("#nav a:text-is('Users')")
        expect(page.locator("#section h2").first).to_have_text("Users")
        expect(page.locator("#section table")).to_contain_text(admin_email)
        email = f"scientist-{uuid.uuid4().hex[:8]}@calcflow.test"
        form = page.locator("#section form")
        form.locator("input[type=email]").fill(email)
        form.locator("input:not([type])").fill("Marie Curie")
        form.locator("input[type=password]").fill("radium and polonium")
        form.locator("button[type=submit]").click()
        expect(page.locator("#section table")).to_contain_text(email)
        page.screenshot(path=f"{screenshots}/users-admin.png")

        page.click("#logout")
        expect(page.locator("#login-form")).to_be_visible()

        page.fill("#login-email", email)
        page.fill("#login-password", "radium and polonium")
        page.click("#login-form button[type=submit]")
        expect(page.locator("#account-link")).to_contain_text("Marie Curie (user)")
        page.click("#nav a:text-is('Users')")
        expect(page.locator("#section")).to_contain_text(f"You are {email}, a user.")

        # Another's calculation: the buttons are its allowed_actions for a user, rerun and reports only.
        page.goto(calculation_url)
        expect(page.locator("#section h2")).to_contain_text("Water single point")
        expect(page.locator("#section button:text-is('Rerun')")).to_be_visible()
        for hidden in ("Approve", "Cancel", "Delete"):
            expect(page.locator(f"#section button:text-is('{hidden}')")).to_have_count(0)

        # A reload keeps the session through the refresh cookie; the access token was only in memory.
        page.reload()
        expect(page.locator("#app-view")).to_be_visible()
        expect(page.locator("#account-link")).to_contain_text("Marie Curie")
        page.screenshot(path=f"{screenshots}/users-user.png")

        page.goto(base_url + "/#/account")
        expect(page.locator("#section h2")).to_have_text("Your account")
        page.select_option("#section select", "ERROR")
        page.locator("#section form").first.locator("button[type=submit]").click()
        expect(page.locator("#toast")).to_have_text("Saved")
        browser.close()

    return verdict(problems, "dashboard")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
