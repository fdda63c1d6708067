"""The ``samsyn`` command line.

    samsyn serve [--port 8866] [--database-url URL] [--lang sv|en]
    samsyn cases check [PATH …]
    samsyn export [--format xlsx|csv] [--output FILE]
    samsyn db upgrade
    samsyn demo [--answers 100000] [--teams 20] [--years 3] [--seed 1]

Flags override environment variables (``SAMSYN_DATABASE_URL``, ``SAMSYN_LANG``,
``SAMSYN_PORT``, ``SAMSYN_CASES_DIR``, ``SAMSYN_DATA_DIR``); the defaults just
work: an SQLite file in the user's data folder, Swedish, port 8866.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from samsyn.config import LANGUAGES, TRAINING_DIR, Settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="samsyn")
def main() -> None:
    """Samsyn: practise and calibrate risk assessment in child and youth social services."""


@main.command()
@click.option("--port", type=int, envvar="SAMSYN_PORT", default=8866, show_default=True, help="Port to listen on.")
@click.option("--ip", envvar="SAMSYN_IP", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--database-url", envvar="SAMSYN_DATABASE_URL", default=None, help="SQLAlchemy URL (default: an SQLite file in the user data folder).")
@click.option("--lang", type=click.Choice(LANGUAGES), envvar="SAMSYN_LANG", default="sv", show_default=True, help="Default language of the pages.")
@click.option("--cases-dir", type=click.Path(file_okay=False, path_type=Path), envvar="SAMSYN_CASES_DIR", default=None, help="Folder of case files.")
@click.option("--open-browser/--no-browser", default=False, help="Open a browser window.")
@click.option("--manager-key", envvar="SAMSYN_MANAGER_KEY", default=None,
              help="Secret for the manager view (?key=…); made up and printed once when not given.")
@click.option("--room", type=click.IntRange(min=0, max=500), envvar="SAMSYN_ROOM_SIZE", default=0, show_default=True,
              help="Trainees expected at once (a workshop): that many start and case pages are kept ready.")
def serve(port: int, ip: str, database_url: str | None, lang: str, cases_dir: Path | None, open_browser: bool,
          manager_key: str | None, room: int) -> None:
    """Start the app (Voila) with its database migrated."""
    if database_url:
        os.environ["SAMSYN_DATABASE_URL"] = database_url
    os.environ["SAMSYN_LANG"] = lang
    os.environ["SAMSYN_ROOM_SIZE"] = str(room)
    if cases_dir:
        os.environ["SAMSYN_CASES_DIR"] = str(cases_dir.resolve())
    settings = Settings.from_env()
    os.environ["SAMSYN_DATABASE_URL"] = settings.database_url

    from store.db import migrate

    migrate(settings.database_url)
    click.echo(f"Samsyn: database ready ({_redact(settings.database_url)})")
    click.echo(f"Samsyn: open http://{ip}:{port}/")
    if room:
        click.echo(f"Samsyn: ready for a room of {room}: {room} start and {room} case pages are kept preheated")
    if os.environ.get("JUPYTERHUB_USER"):
        click.echo("Samsyn: manager view by JupyterHub group "
                   f"({os.environ.get('SAMSYN_MANAGER_GROUP') or 'samsyn-managers'})")
    elif manager_key:
        os.environ["SAMSYN_MANAGER_KEY"] = manager_key
    else:
        import secrets

        os.environ["SAMSYN_MANAGER_KEY"] = secrets.token_urlsafe(18)
        click.echo("Samsyn: manager view (keep this link to yourself; a new key is made at every start): "
                   f"http://{ip}:{port}/voila/render/manager.ipynb?key={os.environ['SAMSYN_MANAGER_KEY']}")

    from samsyn.charts import TEMPLATES_ENV, prepare_templates

    os.environ[TEMPLATES_ENV] = str(prepare_templates(settings.cache_dir))  # the kernels draw charts without Altair

    from samsyn.server import run_voila

    run_voila(port=port, ip=ip, open_browser=open_browser, notebooks=TRAINING_DIR)


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


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
    targets = list(paths) or [Settings.from_env().cases_dir]
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
@click.option("--database-url", envvar="SAMSYN_DATABASE_URL", default=None)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export(database_url: str | None, fmt: str, output: Path) -> None:
    """Export every answer, pseudonymous, one row per answer."""
    from samsyn.export import write_answers

    url = database_url or Settings.from_env().database_url
    count = write_answers(url, output, fmt)
    click.echo(f"{count} answer(s) written to {output}")


@main.command()
@click.option("--database-url", envvar="SAMSYN_DATABASE_URL", default=None)
@click.option("--answers", type=click.IntRange(min=1), default=100_000, show_default=True)
@click.option("--teams", type=click.IntRange(min=1, max=99), default=20, show_default=True)
@click.option("--years", type=click.IntRange(min=1, max=20), default=3, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
def demo(database_url: str | None, answers: int, teams: int, years: int, seed: int) -> None:
    """Fill a database with synthetic answers for the manager view (adds to what is there)."""
    import time

    from cases import load_library
    from insight.demo import write

    settings = Settings.from_env()
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
@click.option("--database-url", envvar="SAMSYN_DATABASE_URL", default=None)
def db_upgrade(database_url: str | None) -> None:
    """Migrate the database to the newest schema."""
    from store.db import current_revision, engine_for, migrate

    url = database_url or Settings.from_env().database_url
    migrate(url)
    click.echo(f"database at revision {current_revision(engine_for(url))}")


if __name__ == "__main__":  # pragma: no cover
    main()
