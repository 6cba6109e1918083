"""axe-core run in a page whose Content-Security-Policy stays enforced: the script is evaluated
through the browser's debugging protocol (not a <script> tag, which the CSP refuses), so the same
browser context can prove that the page's own script works under the CSP (issue 19, item 7)."""

from tests.browser.axe_portal import AXE, BLOCKING


def assert_accessible_under_csp(page) -> None:
    # The page at rest: not a button under the mouse halfway through Bootstrap's colour transition.
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)
    result = page.evaluate(
        AXE.read_text()
        + """;
        axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
            resultTypes: ['violations'],
        })"""
    )
    bad = [v for v in result["violations"] if v["impact"] in BLOCKING]
    detail = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}" for v in bad
    )
    assert not bad, f"{page.url}\n{detail}"
