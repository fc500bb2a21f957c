"""PDF from qmstrack's HTML reports, laid out by WeasyPrint.

WeasyPrint (https://doc.courtbouillon.org/weasyprint/) is chosen over headless Chromium
because it is installed by the project's own files (``pip install 'qmstrack[pdf]'``,
76 MB and 21-23 s here, against 357 MB for Debian's Chromium packages), it implements
CSS Paged Media (margin boxes, ``counter(pages)``), and it is a library: no browser
process, profile or sandbox per report. Chromium rendered the demo's review pack faster
(6.3 s against 10.6 s); see ``benchmarks/README.md``.

The report loads nothing from anywhere: the only resources it may name are ``data:``
URIs (the office's logo); every other address is refused by the URL fetcher.
"""

from __future__ import annotations

from typing import Any

from qmstrack.errors import QmsError
from qmstrack.i18n import _

INSTALL_PYTHON = "pip install 'qmstrack[pdf]'"
INSTALL_SYSTEM = "apt-get install libpango-1.0-0 libpangoft2-1.0-0"


def _engine() -> Any:
    try:
        import weasyprint
    except ImportError:
        raise QmsError(_("PDF output needs WeasyPrint, which is not installed; install it "
                         "with: {command}").format(command=INSTALL_PYTHON)) from None
    except OSError as exc:
        raise QmsError(_("PDF output needs the Pango library, which WeasyPrint could not "
                         "load ({error}); install it with: {command}").format(
                             error=exc, command=INSTALL_SYSTEM)) from None
    return weasyprint


def _fetcher(url: str, *args: Any, **kwargs: Any) -> Any:
    if not url.startswith("data:"):
        raise ValueError(f"{url[:60]} is not loaded: a report is self-contained")
    from weasyprint.urls import default_url_fetcher

    return default_url_fetcher(url, *args, **kwargs)


def html_to_pdf(html: str) -> bytes:
    """The PDF of one self-contained HTML report (A4, from its print style sheet)."""
    weasyprint = _engine()
    document = weasyprint.HTML(string=html, url_fetcher=_fetcher)
    pdf = document.write_pdf()
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf() without a target
        raise QmsError(_("The PDF could not be made."))
    return pdf
