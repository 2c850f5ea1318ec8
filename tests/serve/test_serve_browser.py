"""The chat page in a real browser: Playwright driving Debian's Chromium (`make install-test`
installs it; Playwright downloads no browser of its own) against a real `moss-agent serve`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.helpers.serve_helpers import serve_process, write_script

REPLY = "2 to the 10th is 1024, which is also the number of bytes in a kibibyte."
SCRIPT = [" The user asks for a power of two; I use the calculator.<eot>", ' Calculate("2^10")<eoc>',
          f" {REPLY}<eom>"]
PHONE = {"width": 390, "height": 844}


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "Debian's chromium is not installed: run `make install-test` (as root) or apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.mark.slow
def test_the_page_streams_a_tool_turn_and_finds_it_again_after_a_reload(tmp_path: Path) -> None:
    chromium = _chromium()
    from playwright.sync_api import expect, sync_playwright

    script = write_script(tmp_path / "script.json", SCRIPT, seconds_per_piece=0.05)
    args = ["--script", str(script), "--db", str(tmp_path / "logs.db"), "--tools", "Calculate"]
    with serve_process(args, log=tmp_path / "serve.log") as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        try:
            page = browser.new_page(viewport=PHONE)
            page.goto(url + "/")
            expect(page.locator("#model")).to_have_text("scripted")
            page.fill("#question", "What is 2 to the 10th?")
            page.keyboard.press("Enter")

            call = page.locator(".turn .call").first
            expect(call.locator(".call-text")).to_have_text('Calculate("2^10")')
            expect(call.locator(".call-result")).to_have_text("1024")
            # Streamed: the reply is seen part-written before it is whole.
            page.wait_for_function(
                "full => { const r = document.querySelector('.turn .reply');"
                " return r !== null && r.textContent.length > 0 && r.textContent.length < full.length; }",
                arg=REPLY)
            expect(page.locator(".turn .reply")).to_have_text(REPLY)
            expect(page.locator(".turn .thoughts")).to_have_text(SCRIPT[0].strip().removesuffix("<eot>"))
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
            expect(page.locator("#send")).to_be_visible()  # the turn is over (reloading sooner cancels it)

            page.reload()
            # The tab keeps its conversation, and the conversation is listed from the store.
            expect(page.locator("#conversations li a")).to_have_text(["What is 2 to the 10th?"])
            expect(page.locator(".turn .reply")).to_have_text(REPLY)
            expect(page.locator(".turn .call-result")).to_have_text("1024")
            page.click("#menu")  # on a phone the list opens from the menu button
            expect(page.locator("#conversations li a")).to_be_visible()
        finally:
            browser.close()
