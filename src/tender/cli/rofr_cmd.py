"""`tender rofr replay CASE.yaml [--json PATH] [--audit PATH]`: the command's declaration.

The case schema, the replay and the tables live in `cli/rofr.py`, loaded when the command runs (pydantic
models and the contract engine stay out of `tender --help`).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from tender.cli.output import JSON_HELP, Output, check_outputs, fail_bad_input, json_target, write_outputs


def register(app: typer.Typer) -> None:
    rofr_app = typer.Typer(help="Right-of-first-refusal protocol tools.", no_args_is_help=True)

    @rofr_app.command("replay")
    def replay_cmd(
        case_file: Path = typer.Argument(..., help="Case YAML (see docs/rofr.md)."),
        json_path: Path | None = typer.Option(
            None, "--json", callback=json_target, help=f"Write the outcome as JSON to PATH. {JSON_HELP}"
        ),
        audit_path: Path | None = typer.Option(
            None, "--audit", help="Write the hash-chained audit log (JSONL) here."
        ),
    ) -> None:
        """Replay a scripted sequence of needs, quotes, responses and deals against a scenario."""
        from tender.cli.rofr import _print, load_case, run_case
        from tender.config import InputError
        from tender.ledger.audit import dumps_jsonl

        check_outputs([(json_path, "--json"), (audit_path, "--audit")])
        try:
            case = load_case(case_file)
        except InputError as exc:
            fail_bad_input([str(p) for p in exc.problems])
        document = run_case(case)
        chain = document.pop("audit")
        _print(document)
        outputs = []
        if json_path is not None:
            outputs.append(Output(json_path, json.dumps(document, indent=2, sort_keys=True) + "\n", "--json"))
        if audit_path is not None:
            outputs.append(Output(audit_path, dumps_jsonl(chain), "--audit"))
        write_outputs(outputs)

    app.add_typer(rofr_app, name="rofr")
