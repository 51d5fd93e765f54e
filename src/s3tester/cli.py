"""The command line: a thin shell over the library (`api`, `loader`, `report`, ...).

Every option can also come from an environment variable spelled like the option:
`S3TESTER_` + its long name, upper case, dashes as underscores (`--endpoint` ->
S3TESTER_ENDPOINT, `--no-verify-ssl` -> S3TESTER_NO_VERIFY_SSL); `--help` shows each one.
Exit codes: 0 passed, 1 failures/regressions, 2 bad config or usage, 3 endpoint unreachable.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from s3tester import __version__
from s3tester.defaults import DEFAULT_PARALLEL, DEFAULT_TIMEOUT
from s3tester.errors import EXIT_CONFIG, EXIT_FAILED, EXIT_INTERNAL, EXIT_OK, S3TesterError
from s3tester.options import FAIL_ON, SafePath, Seconds, option, spell_envvars
from s3tester.options import checked as _checked
from s3tester.options import text_files as _text_files
from s3tester.options import writable as _writable
from s3tester.run.interrupt import HardStop

COMMAND: dict[str, Any] = {}
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _version_text() -> str:
    from s3tester.paths import suite_versions

    return f"s3tester {__version__}\nsuites: {suite_versions()}"


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(_version_text())
        ctx.exit(EXIT_OK)




class Group(click.Group):
    """Turns every S3TesterError into one clear message and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except S3TesterError as exc:
            click.echo(f"error: {exc}" if not getattr(exc, "problems", None) else str(exc), err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, HardStop, KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # s3tester's own bug: the traceback to the log, one line to the user
            import logging

            logging.getLogger("s3tester").error("internal error", exc_info=True)
            click.echo(f"s3tester bug: {type(exc).__name__}: {exc} (traceback above; please report it)", err=True)
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=Group, context_settings=CONTEXT)
@option("--version", "-V", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
              help="Show the version and the suites it ships, then exit. Example: s3tester --version")
@option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Logs on stderr as text or one JSON object per line (CI). Example: --log-format json")
@option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default=None,
              help="Log level (default: info for json, warning for text). Example: --log-level debug")
def cli(log_format: str, log_level: str | None) -> None:
    """s3tester: which parts of the S3 API does an endpoint get right, and did that change?

    \b
    Examples:
      s3tester run suites/v1                          # embedded moto server, result table
      s3tester run suites/v1 --endpoint http://127.0.0.1:9000   # your endpoint (S3_ACCESS_KEY/S3_SECRET_KEY)
      s3tester run suites/v1 --vendor seaweedfs --golden golden/
      s3tester validate suites/v1 --strict
      s3tester list groups suites/v1
    """
    from s3tester import logs

    logs.setup(log_format, log_level)


@cli.command(context_settings=COMMAND)
@click.argument("path", type=SafePath())
@option("--vendor", callback=_checked, help="Vendor profile name or file (vendors/NAME.yaml); launched if it can be. Example: --vendor seaweedfs")
@option("--endpoint", "endpoint_url", metavar="URL", callback=_checked, help="Endpoint URL of a running server. Example: --endpoint http://127.0.0.1:9000")
@option("--region", callback=_checked, help="Region to sign for. Example: --region us-east-1")
@option("--parallel", "-j", type=click.IntRange(1, 256), default=DEFAULT_PARALLEL, show_default=True, help="Cases run at once. Example: -j 8")
@option("--group", "-g", "groups", multiple=True, metavar="PATTERN", help="Only cases whose id, area or name matches (glob; repeatable). Example: -g 'objects/*'")
@option("--tag", "-t", "tags", multiple=True, help="Only cases with this tag (repeatable). Example: --tag core")
@option("--format", "-f", "fmt", type=click.Choice(["table", "json", "yaml", "junit"]), default="table", show_default=True, help="Report format. Example: -f junit")
@option("--output", "-o", type=SafePath(dir_okay=False), callback=_writable, help="Write the report to FILE instead of stdout. Example: -o report.xml")
@option("--results", type=SafePath(dir_okay=False), callback=_writable, help="Also write the results JSON here. Example: --results results/run.json")
@option("--timeout", type=Seconds(0.1, 3600), default=DEFAULT_TIMEOUT, show_default=True, help="Seconds a step may take, start to end (3 timeouts in a row end the run). Example: --timeout 10")
@option("--dry-run", is_flag=True, help="Print the plan (cases and steps) without sending requests.")
@option("--no-verify-ssl", is_flag=True, help="Accept self-signed TLS certificates. Example: --endpoint https://127.0.0.1:9443 --no-verify-ssl")
@option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal only). Example: --no-progress")
@option("--golden", metavar="DIR", type=SafePath(), help="Compare with DIR/<vendor>/v<suite version>.json (or a .json file); exit 1 on regressions. Example: --golden golden/")
@option("--update-golden", is_flag=True, help="Rewrite the golden file from this run (atomically, keeping notes) and show the diff; --golden defaults to golden/.")
@option("--strict", is_flag=True, help="With --golden: also fail on fixes, changed, new or removed cases (a stale golden file). Example: --golden golden/ --strict")
@option("--golden-vendor", metavar="NAME", help="With --golden: compare with vendor NAME's golden file, across vendors on purpose. Example: --golden golden/ --golden-vendor moto")
@option("--fail-on", "fail_on", type=FAIL_ON, default="", help="With --golden: also fail on these kinds beside regressions and worsened (comma-separated: changed,new,removed,fix). Example: --fail-on changed,new")
@option("--trace", is_flag=True, help="Keep the HTTP exchange of every step of every case in the results, not only failing ones. Example: --trace --results run.json")
@option("--keep-buckets", is_flag=True, help="Keep a failed case's buckets (named in the report, with the clean command). Example: -g objects/x --keep-buckets")
@option("--verbose", "-v", count=True, help="Show each failure's HTTP exchange (request line, key headers, status, error, request id) and a curl line. Example: -g 'objects/*' -v")
@option("--quiet", "-q", is_flag=True, help="Print only the verdict (the report still goes to --output). Example: --golden golden/ --quiet")
def run(path: str, vendor: str | None, endpoint_url: str | None, region: str | None, parallel: int,
        groups: tuple[str, ...], tags: tuple[str, ...], fmt: str, output: str | None, results: str | None,
        timeout: float, dry_run: bool, no_verify_ssl: bool, progress: bool | None,
        golden: str | None, update_golden: bool, strict: bool, golden_vendor: str | None, fail_on: tuple[str, ...],
        trace: bool, keep_buckets: bool, verbose: int, quiet: bool) -> None:
    """Run the suite or config at PATH and report.

    \b
    Examples:
      s3tester run suites/v1
      s3tester run suites/v1 -g 'listing/*' -f junit -o junit.xml
      s3tester run suites/v1 --endpoint https://s3.example.test --no-verify-ssl
      s3tester run my-tests.yaml --dry-run
      s3tester run suites/v1 --vendor seaweedfs --golden golden/ [--update-golden]
    """
    from s3tester import api

    options = api.RunOptions(
        path=path, vendor=vendor, endpoint_url=endpoint_url, region=region, parallel=parallel, groups=groups,
        tags=tags, fmt=fmt, output=output, results=results, timeout=timeout, dry_run=dry_run,
        verify_ssl=not no_verify_ssl, progress=progress, golden=golden, update_golden=update_golden, strict=strict,
        golden_vendor=golden_vendor, fail_on=fail_on, trace=trace, keep_buckets=keep_buckets, verbose=verbose,
        quiet=quiet,
    )
    sys.exit(api.run(options).exit_code)


@cli.command(context_settings=COMMAND)
@click.argument("path", type=SafePath())
@option("--strict", is_flag=True, help="Also require descriptions and a checked expectation in every case.")
def validate(path: str, strict: bool) -> None:
    """Check a suite or config without sending requests.

    \b
    Examples:
      s3tester validate suites/v1
      s3tester validate my-tests.yaml --strict
    """
    from s3tester.paths import resolve_suite
    from s3tester.suite.loader import load_suite

    suite = load_suite(resolve_suite(path), strict=strict)
    areas = len({c.area for c in suite.cases})
    click.echo(f"{path}: ok ({len(suite.cases)} cases in {areas} areas, suite {suite.name} {suite.version})")


@cli.command(name="list", context_settings=COMMAND)
@click.argument("what", type=click.Choice(["groups", "operations", "credentials", "vendors", "suites", "clients"]))
@click.argument("path", required=False, type=SafePath())
def list_(what: str, path: str | None) -> None:
    """List groups (cases) or credentials of a suite, S3 operations, vendor profiles or installed suites.

    \b
    Examples:
      s3tester list groups suites/v1
      s3tester list operations
      s3tester list vendors
      s3tester list suites
      s3tester list clients
    """
    if what == "clients":
        from s3tester.run.clienttools import CATALOG, clients_dir, install_command, version

        base = clients_dir()
        for info in CATALOG.values():
            have = version(info.name, base)
            state = f"installed {have}" if have else f"missing (install: {install_command(info.name)})"
            click.echo(f"{info.name:<8} {info.what:<44} {info.source:<36} {state}")
        return
    if what == "suites":
        from s3tester.paths import list_suites

        for found in list_suites():
            click.echo(f"{found.key:<8} {found.name} {found.version:<6} {found.path}")
        return
    if what == "operations":
        from s3tester.suite.operations import operation_names

        click.echo("\n".join(operation_names()))
        return
    if what == "vendors":
        from s3tester.servers.catalog import list_profiles

        for profile in list_profiles():
            launch = "launchable" if profile.launch else "endpoint"
            click.echo(f"{profile.name:<14} {launch:<11} {profile.description}")
        return
    if path is None:
        raise click.UsageError(f"'list {what}' needs a suite PATH")
    from s3tester.paths import resolve_suite
    from s3tester.suite.loader import load_suite

    suite = load_suite(resolve_suite(path))
    if what == "groups":
        for case in suite.cases:
            tags = f"  [{', '.join(case.group.tags)}]" if case.group.tags else ""
            click.echo(f"{case.id}{tags}")
    else:
        click.echo("\n".join(suite.credentials))


@cli.command(context_settings=COMMAND)
@click.argument("path", type=SafePath())
@option("--reference", type=SafePath(dir_okay=False), default="docs/reference/s3-tests-areas.yaml", show_default=True, callback=_text_files,
              help="Area counts of ceph/s3-tests to show beside ours. Example: --reference my-counts.yaml")
@option("--output", "-o", type=SafePath(dir_okay=False), help="Write the Markdown page here. Example: -o docs/coverage.md")
def coverage(path: str, reference: str, output: str | None) -> None:
    """Cases per area and operations exercised; prints the count targets.

    \b
    Examples:
      s3tester coverage suites/v1
      s3tester coverage suites/v1 --output docs/coverage.md
    """
    from pathlib import Path

    from s3tester.suite import coverage as cov
    from s3tester.suite.loader import load_suite

    suite = load_suite(path)
    if output:
        from s3tester.output import write_atomic

        write_atomic(output, cov.markdown(suite, cov.load_reference(Path(reference))))
    for what, measured, target in cov.targets(suite):
        verdict = "ok" if measured >= target else "BELOW TARGET"
        click.echo(f"{what:<11} {measured:>5}  (target >= {target}: {verdict})")


@cli.command(context_settings=COMMAND)
@option("--run-id", metavar="ID", help="Remove the buckets of this run (s3t-ID-*). Example: --run-id k3v9x2ab")
@option("--prefix", metavar="PREFIX", help="Remove buckets whose name starts with PREFIX (s3t-<run id>- or longer). Example: --prefix s3t-k3v9x2ab-")
@option("--vendor", callback=_checked, help="Vendor profile of the endpoint (a running one). Example: --vendor minio")
@option("--endpoint", "endpoint_url", metavar="URL", callback=_checked, help="Endpoint URL. Example: --endpoint http://127.0.0.1:9000")
@option("--region", callback=_checked, help="Region to sign for. Example: --region us-east-1")
@option("--timeout", type=Seconds(0.1, 3600), default=DEFAULT_TIMEOUT, show_default=True, help="Seconds per request. Example: --timeout 10")
@option("--no-verify-ssl", is_flag=True, help="Trust self-signed TLS. Example: --no-verify-ssl")
@option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
def clean(run_id: str | None, prefix: str | None, vendor: str | None, endpoint_url: str | None, region: str | None,
          timeout: float, no_verify_ssl: bool, dry_run: bool) -> None:
    """Remove the buckets an interrupted or killed run left behind, and only those.

    \b
    Examples:
      s3tester clean --run-id k3v9x2ab --endpoint http://127.0.0.1:9000
      s3tester clean --prefix s3t-k3v9x2ab- --endpoint http://127.0.0.1:9000 --dry-run
    """
    from s3tester.run.sweep import prefix_for, sweep
    from s3tester.servers.endpoint import choose_endpoint, open_endpoint

    wanted = prefix_for(run_id, prefix)
    if not vendor and not endpoint_url:
        raise click.UsageError("clean needs the endpoint the run used: --endpoint URL or --vendor NAME")
    choice = choose_endpoint(None, vendor, endpoint_url, region, not no_verify_ssl)
    if choice.launches:
        raise click.UsageError(f"'{vendor}' is launched per run (its buckets went with it); give --endpoint URL")
    with open_endpoint(choice) as endpoint:
        swept = sweep(endpoint.config, wanted, dry_run=dry_run, timeout=timeout)
    for name in swept.found if dry_run else swept.removed:
        click.echo(f"{'would remove' if dry_run else 'removed'} {name}")
    for reason in swept.left:
        click.echo(f"left {reason}", err=True)
    verb = "found" if dry_run else "removed"
    count = len(swept.found) if dry_run else len(swept.removed)
    click.echo(f"{count} bucket(s) {verb} with prefix {wanted}, {len(swept.left)} left")
    sys.exit(EXIT_OK if swept else EXIT_FAILED)


@cli.command(context_settings=COMMAND)
def schema() -> None:
    """Print the JSON Schema of suite files (for editors: yaml-language-server).

    \b
    Example:
      s3tester schema > suite-file.schema.json
    """
    import json

    from s3tester.schema import suite_file_schema

    click.echo(json.dumps(suite_file_schema(), indent=2))


@cli.command(context_settings=COMMAND)
@click.argument("result_file", metavar="RESULT", type=SafePath(exists=True, dir_okay=False), callback=_text_files)
@click.argument("golden_path", metavar="GOLDEN", type=SafePath())
@option("--strict", is_flag=True, help="Also fail on fixes, changed, new or removed cases.")
@option("--update-golden", is_flag=True, help="Rewrite GOLDEN from RESULT (atomically, keeping notes). Example: s3tester compare r.json golden/ --update-golden")
@option("--golden-vendor", metavar="NAME", help="Compare with vendor NAME's golden file, across vendors on purpose. Example: --golden-vendor moto")
@option("--fail-on", "fail_on", type=FAIL_ON, default="", help="Also fail on these kinds (comma-separated: changed,new,removed,fix). Example: --fail-on changed,new")
def compare(result_file: str, golden_path: str, strict: bool, update_golden: bool, golden_vendor: str | None,
            fail_on: tuple[str, ...]) -> None:
    """Compare a results (or golden) file with a golden file or directory, offline.

    Exit 1 on regressions (with --strict: on any difference).

    \b
    Examples:
      s3tester compare results/run.json golden/
      s3tester compare results/run.json golden/seaweedfs/v1.0.json --strict
    """
    from s3tester.results.golden_files import check, load_any

    verdict = check(load_any(result_file, complete=update_golden), golden_path, update_golden, strict,
                    golden_vendor=golden_vendor, fail_on=fail_on)
    click.echo("\n".join(verdict.lines))
    sys.exit(EXIT_FAILED if verdict.failed else EXIT_OK)


@cli.command(context_settings=COMMAND)
@click.argument("files", nargs=-1, required=True, type=SafePath(exists=True, dir_okay=False), callback=_text_files)
@option("--markdown", "markdown_out", metavar="OUT", type=SafePath(dir_okay=False), help="Write the Markdown matrix here. Example: --markdown docs/compatibility.md")
@option("--html", "html_out", metavar="OUT", type=SafePath(dir_okay=False), help="Write the standalone HTML page here. Example: --html docs/compatibility.html")
@option("--label", "labels", multiple=True, metavar="TEXT", help="Column label for each FILE, in order (repeatable). Example: --label 'minio 2025-01' --label 'minio 2025-06'")
@option("--suite", "suite_path", metavar="PATH", type=SafePath(exists=True), help="Suite whose case descriptions the HTML shows on hover. Example: --suite suites/v1")
def matrix(files: tuple[str, ...], markdown_out: str | None, html_out: str | None, labels: tuple[str, ...],
           suite_path: str | None) -> None:
    """Vendors side by side, per area and per case, from golden or results FILES.

    With neither --markdown nor --html, prints the Markdown.

    \b
    Examples:
      s3tester matrix golden/*/v1.1.json --suite suites/v1 --markdown docs/compatibility.md --html docs/compatibility.html
      s3tester matrix results/moto.json results/seaweedfs.json
    """
    from s3tester.output import write_atomic
    from s3tester.paths import resolve_suite
    from s3tester.results import matrix as mx
    from s3tester.results.clients_matrix import clients_markdown
    from s3tester.results.golden_files import load_any
    from s3tester.suite.loader import load_suite

    about = {c.id: c.group.description for c in load_suite(resolve_suite(suite_path)).cases} if suite_path else None
    table = mx.build([load_any(f) for f in files], list(labels) or None, about)
    if not markdown_out and not html_out:
        click.echo(mx.markdown(table) + clients_markdown(table), nl=False)
        return
    if markdown_out:
        write_atomic(markdown_out, mx.markdown(table) + clients_markdown(table))
    if html_out:
        write_atomic(html_out, mx.html(table))
    click.echo("\n".join(mx.summary_lines(table)))


spell_envvars(cli)


def main() -> None:
    if os.environ.get("S3T_DIE_WITH_PARENT"):
        from s3tester.servers.process import die_with_parent

        die_with_parent()
    try:
        code = cli.main(prog_name="s3tester", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_CONFIG)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except HardStop as exc:  # a second Ctrl-C: servers were stopped on the way up; go now
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(exc.code)
    except Exception as exc:  # s3tester's own bug: one line and exit 4, never a traceback
        import traceback

        from s3tester.masking import Masker

        where = traceback.extract_tb(exc.__traceback__)[-1]
        text = Masker().mask(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        click.echo(f"internal error: {text} (at {Path(where.filename).name}:{where.lineno}; "
                   "please report it with the command line)", err=True)
        sys.exit(EXIT_INTERNAL)
    # non-standalone click returns ctx.exit()'s code instead of raising it
    sys.exit(code if isinstance(code, int) else EXIT_OK)
