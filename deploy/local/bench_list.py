"""make bench: the Calculations page with 100,000 calculations in the database, end to end in
Chromium (sign in, open the list, first page shown), then filter changes (a state, an engine, a
search, a sort by name or priority, everyone's) until the new page is shown. Prints the times in
milliseconds (first page, the slowest filter change, the median one) and the slowest one's query.

Usage: bench_list.py BASE_URL EMAIL PASSWORD
"""
import sys
import time

from playwright.sync_api import sync_playwright


def shown(page, started):
    page.wait_for_selector("#section table tbody tr, #section .card h3", state="visible")
    page.wait_for_load_state("networkidle")
    return (time.perf_counter() - started) * 1000


def main(base_url, email, password):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900}).new_page()
        page.goto(base_url + "/")
        page.fill("#login-email", email)
        page.fill("#login-password", password)
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("#app-view:not([hidden])")
        page.wait_for_load_state("networkidle")
        started = time.perf_counter()
        page.goto(base_url + "/#/calculations?creator=all")
        page.reload()
        first = shown(page, started)
        filters = []
        for query in ("creator=all&state=failed", "creator=all&engine=xtb", "creator=all&q=bench+4242", "creator=all&state=queued&engine=qe",
                      "creator=all&sort=name", "creator=all&sort=-priority", "creator=all&state=succeeded&sort=name", "creator=all"):
            started = time.perf_counter()
            page.evaluate(f"location.hash = '#/calculations?{query}'")
            page.wait_for_function(f"document.querySelector('#nav a.active') && location.hash.endsWith('{query}')")
            filters.append((shown(page, started), query))
        browser.close()
    times = sorted(filters)
    print(f"{first:.0f} {times[-1][0]:.0f} {times[len(times) // 2][0]:.0f} {times[-1][1]}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
