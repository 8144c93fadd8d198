"""The answering department of a UK written question, from its opening words.

Written questions open "To ask the Secretary of State for Health and Social Care, …": the
office named there answers. :func:`department_of` maps that opening to the department's name
with a small table, for inputs that carry no department field (the longform answers, a CSV
of questions).
"""

from __future__ import annotations

import re
from functools import lru_cache

# (pattern on the office named after "To ask the", department). First match wins; the
# patterns are lower-case and matched against the lower-cased office.
_TABLE: tuple[tuple[str, str], ...] = (
    (r"health and social care", "Department of Health and Social Care"),
    (r"home department|home office", "Home Office"),
    (r"foreign|deputy foreign secretary", "Foreign, Commonwealth and Development Office"),
    (r"defence", "Ministry of Defence"),
    (r"education", "Department for Education"),
    (r"work and pensions", "Department for Work and Pensions"),
    (r"transport", "Department for Transport"),
    (r"chancellor|exchequer|treasury", "HM Treasury"),
    (r"cabinet office|chancellor of the duchy", "Cabinet Office"),
    (r"energy|net zero", "Department for Energy Security and Net Zero"),
    (r"science|innovation and technology", "Department for Science, Innovation and Technology"),
    (
        r"business and trade|business, energy|international trade",
        "Department for Business and Trade",
    ),
    (r"justice|lord chancellor", "Ministry of Justice"),
    (r"culture|media and sport", "Department for Culture, Media and Sport"),
    (r"environment|food and rural", "Department for Environment, Food and Rural Affairs"),
    (
        r"housing|levelling up|communities and local",
        "Ministry of Housing, Communities and Local Government",
    ),
    (r"northern ireland", "Northern Ireland Office"),
    (r"scotland", "Scotland Office"),
    (r"wales", "Wales Office"),
    (r"women and equalities", "Women and Equalities"),
    (r"attorney general|solicitor general", "Attorney General's Office"),
    (r"leader of the house", "Leader of the House of Commons"),
    (r"prime minister", "Prime Minister"),
    (
        r"member for (?:kenilworth and southam|south west bedfordshire|broxbourne)|"
        r"church commissioners",
        "Church Commissioners",
    ),
    (
        r"member for (?:battersea|blaenau gwent|warrington north|lancaster)|"
        r"house of commons commission|public accounts commission|electoral commission",
        "House of Commons Commission and other bodies",
    ),
)
_COMPILED = tuple((re.compile(p), d) for p, d in _TABLE)
_OPENING = re.compile(
    r"^\W*t?o (?:ask )?(?:the |his |her )?(?:right hon\.?\w* )?([^,]{1,200}?)"
    r"(?:,|\s+(?:what|how|whether|if|when|which|why|pursuant)\b)",
    re.I,
)
# "To ask the Minister of State, Foreign, Commonwealth and Development Office, …": a bare
# title is followed by the department.
_GENERIC = re.compile(r"^(?:minister of state|secretary of state|minister)$", re.I)


def office_of(question: str) -> str | None:
    """The office the question is put to, as written ("Secretary of State for Defence")."""
    m = _OPENING.match(question)
    if not m:
        return None
    office = m.group(1).strip()
    if _GENERIC.match(office):
        rest = question[m.end() :].split(", ")
        head = [
            seg
            for seg in rest[:4]
            if not re.match(
                r"\s*(?:what|how|whether|if|when|"
                r"which|why)\b",
                seg,
                re.I,
            )
        ]
        if head:
            office = f"{office}, " + ", ".join(head[:3])
    return office


def department_of(question: str) -> str | None:
    """The answering department named by a written question's opening, or ``None``.

    Examples
    --------
    >>> department_of("To ask the Secretary of State for Health and Social Care, how many …")
    'Department of Health and Social Care'
    >>> department_of("To ask the Chancellor of the Exchequer, what estimate …")
    'HM Treasury'
    >>> department_of("How many staff work there?") is None
    True
    """
    office = office_of(question)
    return None if office is None else _department_of_office(office)


@lru_cache(maxsize=2048)
def _department_of_office(office: str) -> str | None:
    """The first table entry matching the lower-cased office. Questions are distinct, their
    offices are not (a few dozen titles): the table is read once per office."""
    low = office.lower()
    for pattern, dept in _COMPILED:
        if pattern.search(low):
            return dept
    return None
