"""Store: where answers are kept — SQLite by default, PostgreSQL by URL.

Public API::

    from store import Store, AnswerIn, validate_answer
    store = Store(url)                  # migrates the database once per process
    p = store.create_participant("Falk", self_paced=True)
    store.save_draft(p.id, "assi", {...})
    store.submit_answer(p.id, validate_answer(data, case, variables))
    migrate(url); database_revision(url); redacted_url(url)   # for the command line

``Store`` is the only way into the database: no module outside ``store`` imports
SQLAlchemy, ``store.db`` or ``store.models`` (an import-linter contract, ``pyproject.toml``).
"""

from store.answer import AnswerIn, AnswerInvalid, validate_answer
from store.db import database_revision, migrate, redacted_url
from store.models import Participant
from store.programmes import AlreadyInProgramme, ProgrammeStore, StepIn
from store.repository import Store as _Operations
from store.repository import Submitted


class Store(ProgrammeStore, _Operations):
    """The one gateway to the database: the operations of ``store.repository`` and, for
    onboarding programmes, ``store.programmes``."""



def configure_orm() -> None:
    """Configure the ORM's mappers now rather than at the first query (the fork server does it
    once for every kernel it forks: ``samsyn.forkserver.warm``)."""
    from sqlalchemy.orm import configure_mappers

    configure_mappers()


__all__ = ["AlreadyInProgramme", "StepIn", "AnswerIn", "AnswerInvalid", "Participant", "Store", "Submitted",
           "configure_orm", "database_revision", "migrate", "redacted_url", "validate_answer"]
