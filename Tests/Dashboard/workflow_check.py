"""What scientists, moderators and admins do in the dashboard, in real Chromium against a stack with a
real agent (xtb and pw.x) on cluster AGENT_CLUSTER:
- a user creates an xtb calculation through the form and watches it finish, with its SCF chart;
  builds a 3-point QE sweep with copy_from and sees the summary chart; compares two calculations of a
  molecule; and sees no approve button;
- a moderator approves a calculation on an approval cluster and blocks a user;
- an admin creates a cluster, issues a key, and follows the connect check to green once a second agent
  runs with that key (the harness starts it when the key appears in KEY_FILE); and deletes a log range.
Exits non-zero with every problem found.

Usage: workflow_check.py BASE_URL ADMIN_EMAIL ADMIN_PASSWORD SCREENSHOT_DIR AGENT_CLUSTER KEY_FILE
"""
import sys
import time
import uuid

from browser_support import call, sign_in, verdict
from playwright.sync_api import expect, sync_playwright

WATER = "3\nwater\nO 0.0 0.0 0.117\nH 0.0 0.757 -0.467\nH 0.0 -0.757 -0.467"


def wait_for_state(page, url, state, seconds=90):
    """True once the page shows `state`; else the state and reason it shows last, as a problem to report."""
    deadline = time.time() + seconds
    seen = None
    while time.time() < deadline:
        page.goto(url)
        page.reload()
        # Not "networkidle": the page of an unfinished calculation keeps its live stream open.
        page.wait_for_selector("#section .toolbar .badge")
        badge = page.locator("#section .toolbar .badge").first
        seen = badge.inner_text() if badge.count() else None
        if seen == state:
            return True
        if seen in ("failed", "not converged", "cancelled"):
            break
        time.sleep(1)
    reason = page.locator("#section > section > p").first
    raise AssertionError(f"{url} shows {seen!r}, not {state!r}: {reason.inner_text() if reason.count() else ''}")


def new_calculation(page, base_url, name, cluster, engine, molecule=None):
    page.goto(base_url + "/#/calculations/new")
    form = page.locator("#section form")
    expect(form.locator("h3")).to_have_text("New calculation")
    form.locator("[data-field=name]").fill(name)
    form.locator("[data-field=cluster_id]").select_option(label=cluster)
    form.locator("[data-field=engine]").select_option(engine)
    if molecule:
        form.locator("[data-field=molecule_id]").select_option(label=molecule)
    return form


def main(base_url, admin_email, admin_password, screenshots, agent_cluster, key_file):
    problems = []
    admin = call(base_url, "POST", "/auth/login", {"email": admin_email, "password": admin_password})["access_token"]
    password = "a long enough password"
    people = {}
    for role in ("user", "moderator"):
        email = f"{role}-{uuid.uuid4().hex[:6]}@calcflow.test"
        people[role] = call(base_url, "POST", "/users", {"email": email, "name": f"The {role}", "role": role, "password": password}, admin)
    call(base_url, "POST", "/molecules", {"name": "Water", "structure": {"format": "xyz", "text": WATER}}, admin)
    approval = call(base_url, "POST", "/clusters", {"name": f"approval-{uuid.uuid4().hex[:6]}", "requires_approval": True}, admin)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])

        # A user: an xtb single point through the form, watched to the end, with its SCF chart.
        page = sign_in(browser, base_url, people["user"]["email"], password, problems, "user")
        form = new_calculation(page, base_url, "Water single point", agent_cluster, "xtb", molecule="Water (H2O)")
        form.locator("[data-field='configuration.task']").select_option("sp")
        form.locator("button[type=submit]").click()
        expect(page.locator("#section h2")).to_contain_text("Water single point")
        single_point = page.url
        wait_for_state(page, single_point, "succeeded")
        expect(page.locator("#section h3:text-is('SCF convergence')")).to_be_visible()
        expect(page.locator("#section canvas").first).to_be_visible()
        page.screenshot(path=f"{screenshots}/workflow-xtb-user.png", full_page=True)

        # The same molecule again with another method, then compared on the molecule's page.
        form = new_calculation(page, base_url, "Water GFN1", agent_cluster, "xtb", molecule="Water (H2O)")
        form.locator("[data-field='configuration.method']").select_option("gfn1")
        form.locator("button[type=submit]").click()
        expect(page.locator("#section h2")).to_contain_text("Water GFN1")
        wait_for_state(page, page.url, "succeeded")
        page.goto(base_url + "/#/molecules")
        page.get_by_role("link", name="Water").first.click()
        expect(page.locator("#section svg.structure circle")).to_have_count(3)
        expect(page.locator("#section canvas")).to_be_visible()
        expect(page.locator("#section")).to_contain_text("Water GFN1")
        page.screenshot(path=f"{screenshots}/workflow-compare-user.png", full_page=True)

        # A 3-point QE sweep of the cutoff, each step starting from the one before.
        form = new_calculation(page, base_url, "Si cutoff sweep", agent_cluster, "qe")
        text = form.locator("[data-field='configuration.input']")
        text.fill(text.input_value().replace("ecutwfc = 18.0", "ecutwfc = {{ecut}}"))
        form.locator("label:has-text('Sweep a parameter') input").check()
        form.locator("[data-field='steps.parameter']").fill("ecut")
        form.locator("[data-field=steps]").fill("12:20:4")
        form.locator("label:has-text('copies from the previous') input").check()
        expect(form.locator(".sweep p.muted")).to_contain_text("3 steps")
        form.locator("button[type=submit]").click()
        expect(page.locator("#section h2")).to_contain_text("Si cutoff sweep")
        wait_for_state(page, page.url, "succeeded", seconds=180)
        expect(page.locator("#section h3:text-is('Sweep summary')")).to_be_visible()
        expect(page.locator("#section")).to_contain_text("copied")
        page.screenshot(path=f"{screenshots}/workflow-sweep-user.png", full_page=True)

        # On an approval cluster the user's calculation waits, and the user has no approve button.
        pending = call(base_url, "POST", "/calculations", {"name": "Needs a look", "cluster_id": approval["id"], "engine": "xtb",
                                                            "configuration": {"structure": {"format": "xyz", "text": WATER}}, "analyses": []},
                       call(base_url, "POST", "/auth/login", {"email": people["user"]["email"], "password": password})["access_token"])
        page.goto(f"{base_url}/#/calculations/{pending['id']}")
        expect(page.locator("#section h2")).to_contain_text("Needs a look")
        expect(page.locator("#section button:text-is('Approve')")).to_have_count(0)
        page.context.close()

        # A moderator approves it and blocks the user.
        page = sign_in(browser, base_url, people["moderator"]["email"], password, problems, "moderator")
        page.goto(f"{base_url}/#/calculations/{pending['id']}")
        page.click("#section button:text-is('Approve')")
        expect(page.locator("#section .toolbar .badge").first).to_have_text("queued")
        page.goto(base_url + "/#/users")
        page.locator("tr", has_text=people["user"]["email"]).locator("button:text-is('Block')").click()
        expect(page.locator("tr", has_text=people["user"]["email"])).to_contain_text("blocked")
        page.screenshot(path=f"{screenshots}/workflow-users-moderator.png", full_page=True)
        page.context.close()

        # An admin connects a new cluster: key, config, and the staged check turning green.
        page = sign_in(browser, base_url, admin_email, admin_password, problems, "admin")
        page.goto(base_url + "/#/clusters")
        name = f"second-{uuid.uuid4().hex[:6]}"
        page.locator("#section form").last.locator("input").first.fill(name)
        page.locator("#section form").last.locator("button[type=submit]").click()
        page.get_by_role("link", name=name).click()
        expect(page.locator("#section .stage.failed")).to_contain_text("A key is issued")
        page.once("dialog", lambda dialog: dialog.accept("second agent"))
        page.click("#section button:text-is('Issue a key')")
        key = page.locator("#section [role=status] code").inner_text()
        with open(key_file, "w") as file:
            file.write(key)
        deadline = time.time() + 60
        while time.time() < deadline:
            page.reload()
            page.wait_for_load_state("networkidle")
            if page.locator("#section .stage.done").count() == 4:
                break
            time.sleep(1)
        else:
            problems.append(f"the connect check did not turn green: {page.locator('#section .stages').inner_text()}")
        page.screenshot(path=f"{screenshots}/workflow-connect-admin.png", full_page=True)

        # And deletes the logs older than a day.
        page.goto(base_url + "/#/logs")
        page.locator("#section input[aria-label='Days to keep']").fill("1")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#section button:text-is('Delete older than')")
        expect(page.locator("#toast")).to_contain_text("entries deleted")
        browser.close()

    return verdict(problems, "workflow")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:7]))
