"""nox sessions: tests, lint, typecheck, conformance (every launchable vendor), golden_update."""

from __future__ import annotations

import nox

from s3tester.servers.catalog import launchable_vendors

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True

LAUNCHABLE = launchable_vendors()  # every profile with a `launch:` section


@nox.session(python=False)
def lint(session: nox.Session) -> None:
    session.run("ruff", "check", ".")


@nox.session(python=False)
def typecheck(session: nox.Session) -> None:
    session.run("mypy")


@nox.session(python=False)
def tests(session: nox.Session) -> None:
    session.run("pytest", "-q", *session.posargs)


@nox.session(python=False)
@nox.parametrize("vendor", LAUNCHABLE)
def conformance(session: nox.Session, vendor: str) -> None:
    """Launch the vendor, run suites/v1, compare with golden/<vendor>/; fail on regressions."""
    session.run("bash", "scripts/install-vendor.sh", vendor, external=True)
    session.run("s3tester", "run", "suites/v1", "--vendor", vendor, "--golden", "golden/", "--parallel", "8")


@nox.session(python=False)
def golden_update(session: nox.Session) -> None:
    """nox -s golden_update -- VENDOR [VENDOR...]: rewrite golden files from fresh runs."""
    for vendor in session.posargs or LAUNCHABLE:
        session.run("bash", "scripts/install-vendor.sh", vendor, external=True)
        session.run("s3tester", "run", "suites/v1", "--vendor", vendor, "--golden", "golden/", "--update-golden", "--parallel", "8")
    session.run("make", "matrix", external=True)  # the matrix is generated from golden/
