"""The ``samsyn`` command line.

    samsyn serve [--port 8866] [--ip 127.0.0.1] [--base-url /] [--database-url URL] [--lang sv|en]
    samsyn cases check [PATH …]
    samsyn author [FOLDER] [--port 8890] [--token TOKEN] [--cases-dir FOLDER]
    samsyn export [--format xlsx|csv] [--output FILE]
    samsyn db upgrade
    samsyn demo [--answers 100000] [--teams 20] [--years 3] [--seed 1]

Flags override the environment variables of ``samsyn.config.Settings`` (the
README's configuration table lists them all); the defaults just work: an SQLite
file in the user's data folder, Swedish, port 8866.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from samsyn.config import LANGUAGES, Settings, SettingError, url_prefix


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="samsyn")
def main() -> None:
    """Samsyn: practise and calibrate risk assessment in child and youth social services."""


def _settings(**flags) -> Settings:
    """The settings (environment, then the flags given), or exit with the variable's problem."""
    try:
        return Settings.from_env().replace(**flags)
    except SettingError as exc:
        raise click.UsageError(str(exc)) from None


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port to listen on [SAMSYN_PORT; 8866].")
@click.option("--ip", default=None, help="Address to listen on [SAMSYN_IP; 127.0.0.1].")
@click.option("--base-url", default=None,
              help="URL prefix the app is served under, e.g. /user/<name>/ behind JupyterHub [SAMSYN_BASE_URL; /].")
@click.option("--database-url", default=None,
              help="SQLAlchemy URL [SAMSYN_DATABASE_URL; an SQLite file in the user data folder].")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None, help="Default language of the pages [SAMSYN_LANG; sv].")
@click.option("--cases-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of case files [SAMSYN_CASES_DIR; the shipped library].")
@click.option("--variables-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Your own variables file: added, renamed and retired answer options [SAMSYN_VARIABLES_FILE].")
@click.option("--open-browser/--no-browser", default=False, help="Open a browser window.")
@click.option("--manager-key", default=None,
              help="Secret for the manager view (?key=…) [SAMSYN_MANAGER_KEY; made up and printed once].")
@click.option("--room", type=click.IntRange(min=0, max=500), default=None,
              help="Trainees expected at once (a workshop): that many start and case pages are kept ready "
                   "[SAMSYN_ROOM_SIZE; 0].")
def serve(port: int | None, ip: str | None, base_url: str | None, database_url: str | None, lang: str | None,
          cases_dir: Path | None, variables_file: Path | None, open_browser: bool, manager_key: str | None,
          room: int | None) -> None:
    """Start the app (Voila) with its database migrated."""
    settings = _settings(port=port, ip=ip, base_url=base_url and url_prefix(base_url), database_url=database_url,
                         language=lang, cases_dir=cases_dir and cases_dir.resolve(), manager_key=manager_key,
                         variables_file=variables_file and variables_file.resolve(), room_size=room)
    listen = settings.ip.lower()
    if listen not in ("0.0.0.0", "::", "") and listen not in settings.allowed_hosts:
        # The address it listens on is a name it answers to (samsyn.guard: the Host allowlist).
        settings = settings.replace(allowed_hosts=(*settings.allowed_hosts, listen))

    from store import migrate

    migrate(settings.database_url)
    click.echo(f"Samsyn: database ready ({_redact(settings.database_url)})")
    click.echo(f"Samsyn: open http://{settings.ip}:{settings.port}{settings.base_url}")
    if settings.room_size:
        click.echo(f"Samsyn: ready for a room of {settings.room_size}: {settings.room_size} start and "
                   f"{settings.room_size} case pages are kept preheated")
    click.echo(f"Samsyn: at most {settings.kernel_cap} page kernels at once"
               + ("" if settings.max_kernels is not None else " (SAMSYN_MAX_KERNELS unset: 60, or what the room needs)")
               + f", {settings.max_kernels_per_client} per client")
    if listen in ("0.0.0.0", "::") and not settings.allowed_hosts:
        click.echo("Samsyn: answering to loopback names only; set SAMSYN_ALLOWED_HOSTS to the name or address "
                   "people will type (README, Security)")
    elif settings.allowed_hosts:
        click.echo(f"Samsyn: answering to loopback and {', '.join(settings.allowed_hosts)}")
    if settings.behind_hub:
        click.echo(f"Samsyn: JupyterHub user {settings.hub_user}; roles from the hub groups "
                   f"{settings.mentor_group} and {settings.manager_group}")
    elif not settings.manager_key:
        import secrets

        settings = settings.replace(manager_key=secrets.token_urlsafe(18))
        click.echo("Samsyn: manager view (keep this link to yourself; a new key is made at every start): "
                   f"http://{settings.ip}:{settings.port}{settings.base_url}voila/render/manager.ipynb"
                   f"?key={settings.manager_key}")
    os.environ.update(settings.to_environ())  # the kernels Voila starts read the same settings

    from samsyn.charts import prepare_templates

    prepare_templates(settings.cache_dir)  # the kernels draw charts from these templates, without Altair

    from samsyn.server import run_voila

    run_voila(settings, open_browser=open_browser)


def _redact(url: str) -> str:
    from store import redacted_url

    return redacted_url(url)


@main.group()
def cases() -> None:
    """Work with case files."""


@cases.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def cases_check(paths: tuple[Path, ...]) -> None:
    """Validate case files (default: the case folder). Exits 1 on any problem."""
    from cases import check_paths
    from cases.loader import CaseFileError, load_variables

    try:
        variables = load_variables()
    except CaseFileError as exc:
        for error in exc.errors:
            click.echo(f"ERROR {error}", err=True)
        sys.exit(1)
    targets = list(paths) or [_settings().cases_dir]
    missing = [p for p in targets if not p.exists()]
    for p in missing:
        click.echo(f"ERROR {p}: (file): does not exist", err=True)
    good, errors = check_paths([p for p in targets if p.exists()], variables=variables)
    for case in good:
        click.echo(f"ok    {case.id}: {case.title.sv} / {case.title.en} "
                   f"({case.word_count('sv')} words sv, {case.word_count('en')} words en)")
    for error in errors:
        click.echo(f"ERROR {error}", err=True)
    bad_files = len({e.file for e in errors}) + len(missing)
    click.echo(f"{len(good)} case(s) valid, {bad_files} file(s) with problems")
    sys.exit(1 if errors or missing else 0)


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--port", type=int, default=None, help="Port for JupyterLab (default SAMSYN_AUTHOR_PORT or 8890).")
@click.option("--ip", default=None, help="Address for JupyterLab (default SAMSYN_AUTHOR_IP or 127.0.0.1, loopback).")
@click.option("--token", default=None,
              help="JupyterLab's token (default SAMSYN_AUTHOR_TOKEN; made up and printed at every start when not given).")
@click.option("--cases-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The library folder to publish to: the one the server reads [SAMSYN_CASES_DIR].")
@click.option("--variables-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Your own variables file, as the server uses it [SAMSYN_VARIABLES_FILE].")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Language of the authoring page (both languages are previewed).")
@click.option("--open-browser/--no-browser", default=True, show_default=True, help="Open a browser window.")
def author(folder: Path | None, port: int | None, ip: str | None, token: str | None, cases_dir: Path | None,
           variables_file: Path | None, lang: str | None, open_browser: bool) -> None:
    """Write cases in JupyterLab: check and preview them on every save, publish them to the library.

    FOLDER is the authoring workspace (default: "authoring" in the user data folder);
    it is created with the authoring notebook and a template when missing."""
    from samsyn.author import NOTEBOOK, default_workspace, is_loopback, make_token, prepare_workspace, run_lab

    settings = _settings(cases_dir=cases_dir and cases_dir.resolve(), language=lang,
                         variables_file=variables_file and variables_file.resolve())
    # the kernels run in the workspace: every folder they are told about is absolute
    settings = settings.replace(cases_dir=Path(settings.cases_dir).resolve(),
                                variables_file=settings.variables_file and Path(settings.variables_file).resolve())
    os.environ.update(settings.to_environ())
    ip = ip or settings.author_ip
    port = port or settings.author_port
    if token is not None and not token.strip():
        raise click.BadParameter("the token may not be empty", param_hint="--token")
    token = token or settings.author_token or make_token()
    workspace = prepare_workspace(folder or default_workspace())
    click.echo(f"Samsyn: authoring workspace {workspace}")
    click.echo(f"Samsyn: publishes to the library {settings.cases_dir}")
    if not Path(settings.cases_dir).is_dir():
        click.echo("Samsyn: warning: that library folder does not exist; publishing will say so", err=True)
    if not is_loopback(ip):
        click.echo(f"Samsyn: warning: listening on {ip}, not only on this machine; anyone with the token can "
                   "edit files and run code", err=True)
    host = f"[{ip}]" if ":" in ip else ip
    click.echo(f"Samsyn: open http://{host}:{port}/lab/tree/{NOTEBOOK}?token={token}")
    click.echo("Samsyn: run the notebook's cell (Shift+Enter), then open a case file, write and save")
    run_lab(workspace, ip=ip, port=port, token=token, open_browser=open_browser)


@main.command()
@click.option("--database-url", default=None, help="SQLAlchemy URL [SAMSYN_DATABASE_URL].")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--hub-usernames/--no-hub-usernames", default=None,
              help="Name JupyterHub users by their hub user name instead of a pseudonym "
                   "[SAMSYN_EXPORT_HUB_USERNAMES; off].")
def export(database_url: str | None, fmt: str, output: Path, hub_usernames: bool | None) -> None:
    """Export every answer, pseudonymous, one row per answer."""
    from samsyn.export import write_answers

    settings = _settings(export_hub_usernames=hub_usernames)
    url = database_url or settings.database_url
    count = write_answers(url, output, fmt, hub_usernames=settings.export_hub_usernames)
    click.echo(f"{count} answer(s) written to {output}"
               + (" (hub users by hub user name)" if settings.export_hub_usernames else ""))


@main.group()
def workshops() -> None:
    """Workshops behind JupyterHub: who may open them."""


@workshops.command("grant")
@click.argument("workshop_id", type=int)
@click.argument("hub_user")
@click.option("--database-url", default=None, help="SQLAlchemy URL [SAMSYN_DATABASE_URL].")
def workshops_grant(workshop_id: int, hub_user: str, database_url: str | None) -> None:
    """Let another hub mentor open a workshop's facilitator view (its creator always may)."""
    from store import Store

    store = Store(database_url or _settings().database_url)
    if store.workshop(workshop_id) is None:
        click.echo(f"ERROR no workshop {workshop_id}", err=True)
        sys.exit(1)
    store.grant_workshop(workshop_id, hub_user)
    click.echo(f"{hub_user} may open workshop {workshop_id}")


@main.command()
@click.option("--database-url", default=None, help="SQLAlchemy URL [SAMSYN_DATABASE_URL].")
@click.option("--answers", type=click.IntRange(min=1), default=100_000, show_default=True)
@click.option("--teams", type=click.IntRange(min=1, max=99), default=20, show_default=True)
@click.option("--years", type=click.IntRange(min=1, max=20), default=3, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
def demo(database_url: str | None, answers: int, teams: int, years: int, seed: int) -> None:
    """Fill a database with synthetic answers for the manager view (adds to what is there)."""
    import time

    from cases import load_library
    from insight.demo import write

    settings = _settings()
    url = database_url or settings.database_url
    started = time.perf_counter()
    data = write(url, load_library(settings.cases_dir), answers=answers, teams=teams, years=years, seed=seed)
    low = sorted(t for t, b in data.team_bias.items() if b < -0.5)
    click.echo(f"{len(data.answers)} answer(s) by {len(data.participants)} participant(s) in {teams} team(s), "
               f"{len(data.workshops)} workshop(s), written to {_redact(url)} "
               f"in {time.perf_counter() - started:.1f} s")
    click.echo(f"teams drawn to rate lower (relative assessment): {', '.join(low) or 'none'}")


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@click.option("--database-url", default=None, help="SQLAlchemy URL [SAMSYN_DATABASE_URL].")
def db_upgrade(database_url: str | None) -> None:
    """Migrate the database to the newest schema."""
    from store import database_revision, migrate

    url = database_url or _settings().database_url
    migrate(url)
    click.echo(f"database at revision {database_revision(url)}")


if __name__ == "__main__":  # pragma: no cover
    main()
