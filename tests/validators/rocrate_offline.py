#!/usr/bin/env python3
"""Run the RO-Crate project's validator (`rocrate-validator`, from the pinned
`roc-validator` package) with no network: every HTTP request it makes is
answered from a local copy, or refused.

    python rocrate_offline.py validate --no-cache -p provenance-run-crate-0.5 \
        -f json -o report.json <crate folder>

The arguments are rocrate-validator's own. The validator resolves the crate's
`@context` (`https://w3id.org/ro/crate/1.1/context`) over the network; here it
gets `tests/fixtures/ro-crate/context-1.1.jsonld` instead (see the README
beside it). Any other request is refused as if there were no network, named
on stderr (`offline: refused ...`), and makes this script exit with 3 after
the validator has finished, so a validator that starts to need another
resource is noticed rather than silently checking less.

The validator reaches the network with `requests` (its HTTP client, also
behind the JSON-LD loader it installs into rdflib): answered here. rdflib's
own `urllib` loader, its fallback, is refused outright (patched before
rdflib is imported).
"""

import pathlib
import sys
import urllib.error
import urllib.request

import requests
from requests.adapters import HTTPAdapter
from requests.models import Response

ROOT = pathlib.Path(__file__).resolve().parents[2]
LOCAL = {
    "https://w3id.org/ro/crate/1.1/context": ROOT / "tests/fixtures/ro-crate/context-1.1.jsonld",
}
REFUSED = []


def local_copy(url):
    path = LOCAL.get(url)
    if path is None:
        REFUSED.append(url)
        print(f"offline: refused {url}", file=sys.stderr)
    return path


def send(adapter, request, **kwargs):
    path = local_copy(request.url)
    if path is None:
        raise requests.ConnectionError(f"offline: {request.url}", request=request)
    response = Response()
    response.status_code = 200
    response._content = path.read_bytes()
    response.headers["Content-Type"] = "application/ld+json"
    response.encoding = "utf-8"
    response.url = request.url
    response.request = request
    return response


def urlopen(request, *args, **kwargs):
    # Only a fallback of rdflib's: refused, so that it shows.
    url = request if isinstance(request, str) else request.full_url
    REFUSED.append(url)
    print(f"offline: refused {url} (urllib)", file=sys.stderr)
    raise urllib.error.URLError(f"offline: {url}")


HTTPAdapter.send = send
urllib.request.urlopen = urlopen  # before rdflib binds it by name

from rocrate_validator.cli import cli  # noqa: E402  (after the network is replaced)

code = 0
try:
    cli()
except SystemExit as exit:
    code = exit.code if isinstance(exit.code, int) else 1
if REFUSED:
    print(f"offline: {len(REFUSED)} request(s) refused; add a local copy to LOCAL", file=sys.stderr)
    code = 3
sys.exit(code)
