"""The clients × vendors table of the matrix: for the client suite (`suites/clients`, name
`s3-clients`), one row per real client and one column per vendor, each cell the passed
count of that client's cases there; then one row per client scenario.

It reads the same `Matrix` that `matrix.build` makes and renders Markdown only; it shows
nothing when no column is a client-suite run.
"""

from __future__ import annotations

from s3tester.results.matrix import SYMBOL, Column, Matrix, area_of

CLIENT_SUITE = "s3-clients"


def client_columns(m: Matrix) -> list[Column]:
    return [c for c in m.columns if c.golden.suite == CLIENT_SUITE]


def _cell(m: Matrix, column: Column, client: str) -> str:
    cases = [column.case(cid) for cid in m.cases_in(client)]
    seen = [c for c in cases if c is not None]
    if not seen:
        return "·"
    if all(c.status == "skipped" for c in seen):
        return "skipped (not installed?)"
    passed = sum(c.status == "passed" for c in seen)
    ran = sum(c.status != "skipped" for c in seen)
    mark = "✅" if passed == ran else "❌" if passed == 0 else "⚠️"
    return f"{mark} {passed}/{ran}"


def clients_markdown(m: Matrix) -> str:
    """'Clients × vendors' and per-scenario tables, or '' without a client-suite column."""
    columns = client_columns(m)
    if not columns:
        return ""
    clients = sorted({area_of(cid) for cid in m.case_ids if any(col.case(cid) for col in columns)})
    head = "| client | " + " | ".join(f"{c.label} {c.version}" for c in columns) + " |"
    rule = "|---|" + "---|" * len(columns)
    lines = ["", "## Clients × vendors", "", "Passed cases of each real client (suite s3-clients).", "", head, rule]
    lines += [f"| {client} | " + " | ".join(_cell(m, col, client) for col in columns) + " |" for client in clients]
    lines += ["", "### Client scenarios", "", head.replace("| client |", "| case |"), rule]
    for cid in m.case_ids:
        if area_of(cid) not in clients:
            continue
        cells = []
        for col in columns:
            case = col.case(cid)
            cells.append(SYMBOL[case.status if case else None])
        lines.append(f"| {cid} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
