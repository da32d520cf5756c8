"""Drives the dashboard in real Chromium, as a scientist would: sign in, look around, add a user,
sign in as that user, reload. Exits non-zero with the failing step on any mismatch.

Usage: dashboard_check.py BASE_URL ADMIN_EMAIL ADMIN_PASSWORD SCREENSHOT_DIR
"""
import sys
import uuid

from playwright.sync_api import expect, sync_playwright

SECTIONS = ["Dashboard", "Analyses", "Calculations", "Molecules", "Models", "Clusters", "Logs", "Users"]


def main(base_url, admin_email, admin_password, screenshots):
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        # 401s are expected (the first refresh without a session, the wrong password); anything else,
        # a CSP violation above all, is a problem.
        page.on("console", lambda message: message.type == "error" and "status of 401" not in message.text
                and problems.append(f"console: {message.text}"))
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

        page.goto(base_url + "/")
        expect(page.locator("#login-form")).to_be_visible()
        page.screenshot(path=f"{screenshots}/login.png")

        page.fill("#login-email", admin_email)
        page.fill("#login-password", "not the password")
        page.click("#login-form button[type=submit]")
        expect(page.locator("#login-error")).to_have_text("wrong email or password")

        page.fill("#login-password", admin_password)
        page.click("#login-form button[type=submit]")
        expect(page.locator("#app-view")).to_be_visible()
        expect(page.locator("#nav a")).to_have_text(SECTIONS)
        expect(page.locator("#section")).to_contain_text("Signed in as")
        expect(page.locator("#section")).to_contain_text("Healthy")
        page.screenshot(path=f"{screenshots}/dashboard-admin.png")

        for title in SECTIONS:
            page.click(f"#nav a:text-is('{title}')")
            expect(page.locator("#section h2").first).to_be_visible()
            expect(page.locator(f"#nav a.active")).to_have_text(title)

        page.click("#nav a:text-is('Users')")
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

    if problems:
        print("\n".join(problems))
        return 1
    print("dashboard check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
