"""The command line: `python -m bot ask|chat|lint|eval|run ...`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.answering import Answerer, Explanation
from bot.confidence import confidence
from bot.content import DEFAULT_CONTENT_DIR, ContentError, load_content

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.service import Service

REPO_ROOT = DEFAULT_CONTENT_DIR.parent


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Parse `argv` and run one command; returns the exit status."""
    out = out or sys.stdout
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["run", *argv]  # no command: run, the embedded default
    args = _parser().parse_args(argv)
    try:
        return int(args.handler(args, out))
    except ContentError as err:
        print(f"content error:\n{err}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--content", type=Path, default=None,
                        help="content folder (default: $BOT_CONTENT or the repository's content/)")
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")

    ask = sub.add_parser("ask", parents=[common], help="answer one question and exit")
    ask.add_argument("question")
    ask.add_argument("--lang", choices=["fr", "en"], help="language hint (a user locale)")
    ask.add_argument("--json", action="store_true", help="print the reply as one JSON object")
    ask.add_argument("--explain", action="store_true", help="show how the question was scored")
    ask.add_argument("--no-log", action="store_true", help="do not record the question")
    ask.set_defaults(handler=_ask)

    chat = sub.add_parser("chat", parents=[common], help="a conversation in the terminal")
    chat.add_argument("--no-log", action="store_true", help="do not record the questions")
    chat.set_defaults(handler=_chat)

    lint = sub.add_parser("lint", parents=[common], help="check the content files")
    lint.add_argument("dir", nargs="?", type=Path, help="content folder to check")
    lint.add_argument("--eval", nargs="*", type=Path, default=None,
                      help="evaluation files whose questions must not copy the content "
                           "(default: tests/eval/*.yaml when checking the default content)")
    lint.set_defaults(handler=_lint)

    ev = sub.add_parser("eval", parents=[common], help="measure answers on evaluation files")
    ev.add_argument("files", nargs="+", type=Path)
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(handler=_eval)

    run = sub.add_parser("run", parents=[common],
                         help="start the platform adapters whose tokens are set, else the console")
    run.add_argument("--discord", action="store_true", help="Discord only")
    run.add_argument("--telegram", action="store_true", help="Telegram only")
    run.add_argument("--no-log", action="store_true", help="do not record the questions")
    run.set_defaults(handler=_run)

    sync = sub.add_parser("sync-discord", parents=[common],
                          help="register the Discord slash commands (globally or in one guild)")
    sync.add_argument("--guild", type=int, default=None,
                      help="guild id: instant availability there (default: global, or "
                           "DISCORD_SYNC_GUILD when DISCORD_SYNC=guild)")
    sync.set_defaults(handler=_sync_discord)

    check = sub.add_parser("check", parents=[common],
                           help="validate settings and content, list the adapters that would start")
    check.set_defaults(handler=_check)

    stats = sub.add_parser("stats", help="what people asked: rates, top entries, unanswered")
    stats.add_argument("--since", default="7d", help="period: 30m, 24h, 7d, 2w or all")
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.add_argument("--export-unanswered", type=Path, metavar="FILE",
                       help="write the unanswered groups as draft YAML entries")
    stats.set_defaults(handler=_stats)

    health = sub.add_parser("health", help="exit 1 when the running bot's heartbeat is stale")
    health.set_defaults(handler=_health)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    """The validated settings, with `--content` applied; exits with status 2 on bad values."""
    from bot.bootstrap import load_settings

    settings = load_settings(os.environ, sys.stderr, content_dir=args.content)
    if settings is None:
        raise SystemExit(2)
    return settings


def _answerer(args: argparse.Namespace) -> Answerer:
    settings = _settings(args)
    return Answerer(load_content(settings.content_dir), settings.match)


def _service(args: argparse.Namespace) -> Service:
    """The service `ask` and `chat` use: questions logged unless --no-log."""
    from bot.bootstrap import build_service

    return build_service(_settings(args), log_questions=False if args.no_log else None)


def _ask(args: argparse.Namespace, out: TextIO) -> int:
    from bot.service import Asker

    service = _service(args)
    try:
        asker = Asker("cli", "cli", "cli", "private", is_admin=True)  # admins are not rate-limited
        reply = service.ask(args.question, asker, lang_hint=args.lang)
        assert reply is not None  # only rate limiting silences the service, and not for admins
        answerer = service.answerer
        if args.json:
            out.write(json.dumps(reply.to_json(), ensure_ascii=False) + "\n")
        else:
            from adapters.console.render import render

            labels = {k: answerer.message(k, reply.lang) for k in ("source_label", "related_label")}
            out.write(render(reply, labels)[0] + "\n")
        if args.explain:
            out.write(_format_explanation(answerer.explain(args.question, args.lang)))
    finally:
        service.close()  # flushes the question log
    return 0


def _format_explanation(ex: Explanation) -> str:
    lines = ["", f"language: {ex.lang}"]
    lines += [f"tokens ({lang}): {' '.join(toks) or '-'}" for lang, toks in ex.tokens.items()]
    lines.append(f"confidence: {confidence(ex.candidates[:4]):.3f}")  # as reply() sees it
    lines.append("candidates:")
    for c in ex.candidates:
        parts = " ".join(f"{k}={v:.2f}" for k, v in c.parts.items() if k != "score")
        lines.append(f"  {c.score:.3f}  {c.entry.id:<28} {parts}  « {c.phrasing} »")
    return "\n".join(lines) + "\n"


def _chat(args: argparse.Namespace, out: TextIO) -> int:
    from adapters.console.chat import run_console

    service = _service(args)
    try:
        return run_console(service, sys.stdin, out, interactive=sys.stdin.isatty())
    finally:
        service.close()


def _lint(args: argparse.Namespace, out: TextIO) -> int:
    from bot.validation import count_entries, format_report, lint

    root = Path(args.dir or _settings(args).content_dir)
    eval_files = args.eval
    if eval_files is None:
        default = root.resolve() == DEFAULT_CONTENT_DIR.resolve()
        eval_files = sorted((REPO_ROOT / "tests" / "eval").glob("*.yaml")) if default else []
    problems = lint(root, eval_files)
    out.write(format_report(problems, count_entries(root)) + "\n")
    return 1 if any(p.severity == "error" for p in problems) else 0


def _eval(args: argparse.Namespace, out: TextIO) -> int:
    from bot.evaluation import EvalError, evaluate, load_eval

    answerer = _answerer(args)
    try:  # an expected id the content does not have is a typo in the set, not a miss
        cases = load_eval(args.files, known_ids={e.id for e in answerer.content.entries})
    except EvalError as exc:
        print(f"eval: {exc}", file=sys.stderr)
        return 1
    report = evaluate(answerer, cases)
    if args.json:
        out.write(json.dumps(report.to_json(), ensure_ascii=False, indent=1) + "\n")
    else:
        out.write(report.format_text() + "\n")
    return 0


def _run(args: argparse.Namespace, out: TextIO) -> int:
    from bot.bootstrap import adapters, run_bot

    only = [name for name in ("discord", "telegram") if getattr(args, name)]
    if only:  # asked for a platform by name: not having its token is an error, not the console
        ready = {a.name for a in adapters(_settings(args), only)}
        missing = [name for name in only if name not in ready]
        if missing:
            tokens = ", ".join(f"{name.upper()}_TOKEN" for name in missing)
            print(f"run: {tokens} is not set", file=sys.stderr)
            return 2
    return run_bot(os.environ, only=only, log_questions=False if args.no_log else None,
                   content_dir=args.content, stdout=out)


def _sync_discord(args: argparse.Namespace, out: TextIO) -> int:
    import asyncio

    from bot.bootstrap import adapters, build_service

    settings = _settings(args)
    chosen = adapters(settings, only=["discord"])
    if not chosen:
        print("sync-discord: DISCORD_TOKEN is not set", file=sys.stderr)
        return 2
    from adapters.discord import sync_commands

    service = build_service(settings, log_questions=False)
    try:
        count = asyncio.run(sync_commands(chosen[0].config, service, guild_id=args.guild))
    finally:
        service.close()
    where = f"in guild {args.guild}" if args.guild else "globally"
    out.write(f"sync-discord: {count} commands registered {where}\n")
    return 0


def _check(args: argparse.Namespace, out: TextIO) -> int:
    from bot.bootstrap import run_check

    return run_check(os.environ, out, content_dir=args.content)


def _stats(args: argparse.Namespace, out: TextIO) -> int:
    from bot.bootstrap import load_settings
    from bot.stats import run_stats

    settings = load_settings(os.environ, out)
    if settings is None:
        return 2
    return run_stats(settings.db_path, out, since=args.since, as_json=args.json,
                     export=args.export_unanswered)


def _health(args: argparse.Namespace, out: TextIO) -> int:
    from bot.bootstrap import load_settings
    from bot.health import run_health

    settings = load_settings(os.environ, out)
    if settings is None:
        return 2
    return run_health(settings.heartbeat_file, settings.health_max_age, out)


if __name__ == "__main__":
    raise SystemExit(main())
