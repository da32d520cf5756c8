"""The Models page in real Chromium against a real model controller and podman: an admin registers the
example model with what it predicts, starts it, waits for it to be healthy, asks it for a prediction
through the form built from its declared input (a molecule picked from the list, then a formula) and
sees the answer with its status and latency; then stops and deletes it. Exits non-zero with every
problem found.

Usage: models_check.py BASE_URL ADMIN_EMAIL ADMIN_PASSWORD SCREENSHOT_DIR IMAGE MOLECULE_NAME
"""
import re
import sys
import time
import uuid

from browser_support import sign_in, verdict
from playwright.sync_api import expect, sync_playwright


def main(base_url, admin_email, admin_password, screenshots, image, molecule):
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = sign_in(browser, base_url, admin_email, admin_password, problems)

        page.goto(base_url + "/#/models")
        expect(page.locator("#section")).to_contain_text("No models yet")
        name = f"browser-{uuid.uuid4().hex[:6]}"
        form = page.locator("#section form:has(h3:text-is('Register a model'))")
        form.locator("input").nth(0).fill(name)
        form.locator("input").nth(1).fill(image)
        form.locator("input").nth(2).fill("total_energy")
        form.locator("input").nth(3).fill("eV")
        # It learned xtb energies: it says so, and is asked about xtb calculations only.
        form.get_by_label("Of the calculations of").select_option("xtb")
        form.locator("button[type=submit]").click()
        card = page.locator("#section article", has_text=name)
        expect(card.locator(".badge")).to_have_text("stopped")
        expect(card).to_contain_text("total_energy (eV), of xtb calculations")
        card.locator("button:text-is('Start')").click()
        deadline = time.time() + 60
        while time.time() < deadline and page.locator("#section article", has_text=name).locator(".badge").inner_text() != "healthy":
            time.sleep(1)
            page.reload()
            expect(page.locator("#section h2")).to_have_text("Models")
        expect(card.locator(".badge")).to_have_text("healthy")

        card.locator(f"a:text-is('{name}')").click()
        prediction = page.locator("#section form:has(h3:text-is('Ask for a prediction'))")
        expect(prediction).to_contain_text("It predicts total_energy")
        # The molecule picked fills in the input Calcflow sends for a calculation: formula and xyz.
        prediction.get_by_label("Molecule").select_option(label=f"{molecule} (H2O)")
        expect(prediction.locator("textarea")).to_have_value(re.compile(r'"formula": "H2O"[\s\S]*"text": "3'))
        prediction.get_by_label("Engine").select_option("xtb")
        expect(prediction.locator("textarea")).to_have_value(re.compile(r'"engine": "xtb"'))
        prediction.locator("button[type=submit]").click()
        expect(prediction.locator(".badge")).to_have_text("200")
        expect(prediction.locator("pre")).to_contain_text('"prediction"')
        expect(prediction).to_contain_text(" ms")
        # A formula alone is enough for this model.
        prediction.get_by_label("Or a formula").fill("CH4")
        expect(prediction.get_by_label("Molecule")).to_have_value("")
        prediction.locator("button[type=submit]").click()
        expect(prediction.locator("pre")).to_contain_text('"unit": "eV"')
        page.screenshot(path=f"{screenshots}/models-prediction-admin.png", full_page=True)
        # Input that is not JSON is caught by the form, before any request.
        prediction.locator("textarea").fill("not json")
        prediction.locator("button[type=submit]").click()
        expect(prediction).to_contain_text("The input is not JSON")

        page.locator("#section button:text-is('Stop')").click()
        expect(page.locator("#section button:text-is('Start')")).to_be_visible()
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("#section button:text-is('Delete')").click()
        expect(page.locator("#toast")).to_contain_text("deleted")
        browser.close()
    return verdict(problems, "models")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:7]))
