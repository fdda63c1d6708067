"""A municipality's own variables: changes on top of the shipped ``variables.yaml``.

The shipped file is never edited. A local variables file (``SAMSYN_VARIABLES_FILE``)
adds, renames or retires answer options, group by group::

    schema_version: 1
    exposure:
      home:
        add:
          - {id: digitalt_vald, sv: Digitalt våld, en: Digital violence}
        rename:
          familjekonflikter: {sv: Konflikter i familjen}
        retire: [vardnadstvist]
    intervention:
      outpatient:
        add:
          - {id: familjebehandling, sv: Familjebehandling, en: Family therapy}
    bbic:
      familj_och_miljo:
        rename:
          social_integration: {en: Social inclusion}

``exposure`` takes the exposure groups (``home``, ``guardian``, ``child``),
``intervention`` the intervention groups (``outpatient``, ``out_of_home``) and
``bbic`` the three BBIC sides, whose areas are the focus options. The risk
levels, the factor scales and the safety scale are not changed locally: they
are the scales every statistic and the reference panel are counted on.

Answers store ids, never labels, so a rename reaches every stored answer; a
retired option is no longer offered for new answers (nor allowed in a case's
key) but keeps its id and its label, so old answers, history and exports keep
their meaning. Ids are never reused: adding an id that exists (retired or not)
is an error. Every problem is reported as file, field and problem, like a case
file (``samsyn cases check`` reads the variables first).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from cases.files import CaseError, CaseFileError, validation_errors
from samsyn.config import settings
from cases.variables import NonEmpty, OptionId

#: The most options a local file may add to one group (the answer form lists them all).
MAX_ADDED_PER_GROUP = 30
#: Where each section of a local file applies in ``variables.yaml``: (list of groups, key of their options).
SECTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "exposure": (("exposure", "groups"), "options"),
    "intervention": (("intervention", "groups"), "options"),
    "bbic": (("bbic", "sides"), "areas"),
}
GroupId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,48}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddedOption(_Strict):
    id: OptionId
    sv: NonEmpty
    en: NonEmpty


class Rename(_Strict):
    sv: NonEmpty | None = None
    en: NonEmpty | None = None


class GroupChanges(_Strict):
    add: list[AddedOption] = Field(default_factory=list, max_length=MAX_ADDED_PER_GROUP)
    rename: dict[OptionId, Rename] = Field(default_factory=dict)
    retire: list[OptionId] = Field(default_factory=list)


class LocalVariables(_Strict):
    schema_version: Literal[1]
    exposure: dict[GroupId, GroupChanges] = Field(default_factory=dict)
    intervention: dict[GroupId, GroupChanges] = Field(default_factory=dict)
    bbic: dict[GroupId, GroupChanges] = Field(default_factory=dict)


def _groups(data: dict[str, Any], section: str) -> list[dict[str, Any]]:
    (variable, list_key), _options = SECTIONS[section]
    return data.get(variable, {}).get(list_key, [])


def apply_local_variables(shipped: dict[str, Any], local: Any, display: str) -> dict[str, Any]:
    """The shipped variables (raw YAML data) with a local file's changes applied.

    ``local`` is the local file's parsed YAML, ``display`` its name in errors.
    Raises ``CaseFileError`` with every problem (file, field, problem); the
    shipped data is never modified.
    """
    if not isinstance(local, dict):
        raise CaseFileError([CaseError(display, "(root)", "a local variables file must be a mapping of fields")])
    try:
        changes = LocalVariables.model_validate(local)
    except ValidationError as exc:
        raise CaseFileError(validation_errors(display, exc)) from None
    merged = copy.deepcopy(shipped)
    errors: list[CaseError] = []
    for section, (_where, options_key) in SECTIONS.items():
        groups = {g.get("id"): g for g in _groups(merged, section) if isinstance(g, dict)}
        for group_id, change in getattr(changes, section).items():
            where = f"{section}.{group_id}"
            group = groups.get(group_id)
            if group is None:
                errors.append(CaseError(display, where, f"unknown group {group_id!r} (groups: {', '.join(map(str, groups))})"))
                continue
            options: list[dict[str, Any]] = group[options_key]
            by_id = {o["id"]: o for o in options}
            for i, added in enumerate(change.add):
                if added.id in by_id:
                    state = "a retired option" if by_id[added.id].get("retired") else "an option"
                    errors.append(CaseError(display, f"{where}.add[{i}].id",
                                            f"{added.id!r} is already {state} of this group; an id is never reused "
                                            f"(rename the option, or choose a new id)"))
                    continue
                option = {"id": added.id, "sv": added.sv, "en": added.en}
                options.append(option)
                by_id[added.id] = option
            for option_id, rename in change.rename.items():
                if option_id not in by_id:
                    errors.append(CaseError(display, f"{where}.rename.{option_id}",
                                            f"unknown option {option_id!r} (options: {', '.join(by_id)})"))
                    continue
                if rename.sv is None and rename.en is None:
                    errors.append(CaseError(display, f"{where}.rename.{option_id}",
                                            "give the new label in sv, en or both"))
                    continue
                for lang in ("sv", "en"):
                    if getattr(rename, lang) is not None:
                        by_id[option_id][lang] = getattr(rename, lang)
            for i, option_id in enumerate(change.retire):
                if option_id not in by_id:
                    errors.append(CaseError(display, f"{where}.retire[{i}]",
                                            f"unknown option {option_id!r} (options: {', '.join(by_id)})"))
                    continue
                by_id[option_id]["retired"] = True
            if options and all(o.get("retired") for o in options):
                errors.append(CaseError(display, f"{where}.retire",
                                        "every option of the group would be retired; at least one must stay offered"))
    if errors:
        raise CaseFileError(errors)
    return merged


def local_variables_path_setting() -> Path | None:
    """The configured local variables file (``SAMSYN_VARIABLES_FILE``), or None."""
    return settings().variables_file
