"""The generated report sends nothing anywhere when it is opened.

Allure 3.18's "awesome" report always embeds Google Analytics (``gtag.js`` from
googletagmanager.com and an inline ``gtag('config', ...)`` with the report's id); unlike
Allure 2 it has no switch to leave it out (allure-framework/allure3 issue #476, the fix
in pull request #784 is not released). ``make report`` therefore removes both scripts
from every HTML file of the report after generating it, and fails if any trace is left.
``ALLURE_NO_ANALYTICS=true`` is set as well, for the day a release honours it.

``python -m support.report_html [REPORT_DIR]``
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# The loader of gtag.js, and the inline script that defines gtag() and configures it.
_LOADER = re.compile(
    r"\s*<script[^>]*\bsrc=\"https://www\.googletagmanager\.com/[^\"]*\"[^>]*>\s*</script>",
    re.IGNORECASE,
)
_INLINE = re.compile(r"\s*<script>(?:(?!</script>).)*?\bgtag\((?:(?!</script>).)*</script>", re.S)
TRACES = ("googletagmanager", "gtag(", "dataLayer", "google-analytics")


def without_beacon(html: str) -> str:
    """The page without the analytics scripts."""
    return _INLINE.sub("", _LOADER.sub("", html))


def traces_in(html: str) -> list[str]:
    """What is left of any analytics in a page."""
    return [trace for trace in TRACES if trace in html]


def clean(report: Path) -> list[Path]:
    """Remove the beacon from every HTML file of the report; the files changed."""
    changed = []
    for page in sorted(report.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        cleaned = without_beacon(html)
        if cleaned != html:
            page.write_text(cleaned, encoding="utf-8")
            changed.append(page)
        left = traces_in(cleaned)
        if left:
            raise SystemExit(f"{page}: analytics still in the report after cleaning: {left}")
    return changed


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    report = Path(args[0] if args else "reports/allure-report")
    if not (report / "index.html").exists():
        print(f"no report at {report}", file=sys.stderr)
        return 1
    clean(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
