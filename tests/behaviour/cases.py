"""The behavioural suite's cases, in CheckList's three kinds, and the checks that judge them.

Every text here was written for this suite; ``test_suite_data.py`` checks that none of it
appears in ``training_data/corpus.jsonl``.

- **Minimum functionality** (:data:`MFT`): one clear case for every technique in every
  setting (12 x 6 = 72). Each has its expected label; the technique is checked too where it
  is unambiguous (:data:`TECHNIQUE_CHECKED`).
- **Invariance** (:data:`INVARIANCE`): perturbations that must not change the score. HTML
  wrapping and whitespace must leave it *identical*; renamed people, departments and places,
  US spelling and a trailing courtesy must leave it within :data:`TOLERANCE`.
- **Directional** (:data:`DIRECTIONAL`): edits that must move the evasiveness score the stated
  way by more than :data:`MIN_CHANGE`.

A case the current model fails is not deleted: it is listed in :data:`KNOWN_LIMITS` with the
reason, the tests mark it ``xfail(strict=True)``, and README.md's "Known limits" lists it. A
known limit that starts passing fails the suite (strict), so that the table is kept true:
``python -m tests.behaviour.report`` lists both kinds of change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from evascore.labels import TECHNIQUE_LABEL, TECHNIQUES

SETTINGS = ("uk_written", "uk_oral", "committee", "press", "earnings", "foi")
# The scale itself is the package's (one definition): technique -> label.
LABEL_OF = TECHNIQUE_LABEL
# The technique is checked only where the text leaves no doubt about it. Implicit, general
# and deflection shade into one another (GUIDELINES.md), so for those only the label counts.
TECHNIQUE_CHECKED = frozenset(TECHNIQUES) - {"implicit", "general", "deflection"}

TOLERANCE = 0.1  # invariance: renamed people/places/departments, US spelling, courtesy
MIN_CHANGE = 0.01  # directional: the score must move the stated way by more than this

KINDS = ("minimum functionality", "invariance", "directional")


# =========================================================================== MFT


@dataclass(frozen=True)
class Case:
    """One minimum-functionality case."""

    setting: str
    technique: str
    question: str
    answer: str

    @property
    def id(self) -> str:
        return f"{self.setting}-{self.technique}"

    @property
    def label(self) -> str:
        return LABEL_OF[self.technique]


_W = "To ask the Secretary of State for "

MFT: tuple[Case, ...] = tuple(
    Case(*row)
    for row in (
        # ---------------------------------------------------------------- explicit (direct)
        (
            "uk_written",
            "explicit",
            _W
            + "Transport, how many battery electric buses were in service in England on 31 March "
            "2025.",
            "On 31 March 2025 there were 3,870 battery electric buses in service in England, up "
            "from 2,940 a year earlier.",
        ),
        (
            "uk_oral",
            "explicit",
            "Will the Prime Minister guarantee that the maternity unit at Carlisle will stay open?",
            "Yes. The maternity unit at Carlisle will stay open, and I can confirm that it keeps its "
            "consultant-led service.",
        ),
        (
            "committee",
            "explicit",
            "Chief Executive, how many agency nurses did the trust employ in September?",
            "We employed 212 agency nurses in September, down from 340 in the same month last "
            "year.",
        ),
        (
            "press",
            "explicit",
            "Chief Constable, when will the inquiry into the Highfield station fire report?",
            "The inquiry will report on 14 November, and its findings will go to the families that "
            "morning.",
        ),
        (
            "earnings",
            "explicit",
            "What was group revenue in the third quarter?",
            "Group revenue for the third quarter was $812 million, up 9 per cent on the prior "
            "year.",
        ),
        (
            "foi",
            "explicit",
            "Please tell me how many penalty charge notices the council issued in Wellbridge town "
            "centre in 2024.",
            "Thank you for your request of 3 February. In 2024 the council issued 18,442 penalty "
            "charge notices in Wellbridge town centre.",
        ),
        # ---------------------------------------------------------------- implicit (partial)
        (
            "uk_written",
            "implicit",
            _W + "Education, whether the free breakfast club pilot will be extended to secondary "
            "schools.",
            "The pilot was designed for primary schools, where the evidence of benefit is "
            "strongest, and funding for the coming year has been allocated to primary schools on "
            "that basis.",
        ),
        (
            "uk_oral",
            "implicit",
            "Does the Chancellor accept that the fuel duty rise will hit rural drivers hardest?",
            "Rural drivers travel further than anyone, and that is exactly why we have kept the "
            "rural fuel relief scheme alongside the rise.",
        ),
        (
            "committee",
            "implicit",
            "Was the department warned about the contractor's finances before the contract was "
            "signed?",
            "There were reports in the trade press about the company's accounts in the months "
            "before signature, and officials had read them.",
        ),
        (
            "press",
            "implicit",
            "Minister, is the Ashby bypass still going ahead?",
            "We have set aside money in next year's roads budget for buying the land along the "
            "bypass route.",
        ),
        (
            "earnings",
            "implicit",
            "Are you planning to close more stores this year?",
            "We are reviewing every lease as it comes up, and about thirty of them expire before "
            "December.",
        ),
        (
            "foi",
            "implicit",
            "Does the trust use facial recognition cameras at Ashgrove Hospital?",
            "The CCTV system at Ashgrove Hospital was supplied by Vantra Systems in 2022, and its "
            "specification includes the supplier's face-matching module.",
        ),
        # ---------------------------------------------------------------- general (partial)
        (
            "uk_written",
            "general",
            _W + "Health and Social Care, how much was spent on adult mental health services in "
            "Cumbria in 2023-24.",
            "Spending on adult mental health services has risen in every region of England since "
            "2019 and reached a record level nationally in 2023-24.",
        ),
        (
            "uk_oral",
            "general",
            "How many new police officers have been recruited in Lancashire since the election?",
            "Police numbers are up right across the country, and every force in England has more "
            "officers today than it had at the election.",
        ),
        (
            "committee",
            "general",
            "What was the cost of the consultancy contract for the digital identity programme?",
            "Consultancy spending across the department has come down sharply, and the digital "
            "identity programme relied on consultants much less than earlier projects did.",
        ),
        (
            "press",
            "general",
            "How many operations were cancelled in Leeds because of the strike?",
            "Across England, about 61,000 appointments and operations had to be rescheduled during "
            "the strike.",
        ),
        (
            "earnings",
            "general",
            "What was revenue from the Brazilian business in the quarter?",
            "Latin America as a whole grew at double digits, and Brazil was the largest contributor "
            "to that growth.",
        ),
        (
            "foi",
            "general",
            "Please provide the number of noise complaints the council received from residents of "
            "Elm Park ward in 2024.",
            "The council received 1,204 noise complaints across the borough in 2024. Complaints "
            "are not recorded by ward.",
        ),
        # ---------------------------------------------------------------- partial_parts
        (
            "uk_written",
            "partial_parts",
            _W + "Defence, how many service personnel are stationed in (a) Cyprus, (b) Estonia and "
            "(c) the Falkland Islands.",
            "There are 2,260 service personnel stationed in Cyprus. For reasons of operational "
            "security we do not give numbers for Estonia or the Falkland Islands.",
        ),
        (
            "uk_oral",
            "partial_parts",
            "Will the Minister tell the House how many GP surgeries have closed in (a) Cornwall and "
            "(b) Devon since 2020?",
            "Eleven surgeries have closed in Cornwall since 2020, most of them merging with larger "
            "practices nearby. I will write to the hon. Member about Devon.",
        ),
        (
            "committee",
            "partial_parts",
            "How many complaints did you receive about (a) Thames Water and (b) Southern Water last "
            "year?",
            "We received 3,412 complaints about Thames Water last year. I don't have the Southern "
            "Water number with me.",
        ),
        (
            "press",
            "partial_parts",
            "How many people were arrested at the match, and how many officers were injured?",
            "There were 14 arrests, mostly for public order offences. I'm not going to go into "
            "injuries to officers tonight.",
        ),
        (
            "earnings",
            "partial_parts",
            "Can you give us like-for-like sales growth for (a) the UK and (b) Germany?",
            "UK like-for-like sales grew 4.2 per cent in the period. We don't break out Germany "
            "separately.",
        ),
        (
            "foi",
            "partial_parts",
            "Please provide the number of fly-tipping incidents recorded in each of the last three "
            "years.",
            "In 2024 the council recorded 2,918 fly-tipping incidents. Records for earlier years "
            "are not held in a form that can be retrieved.",
        ),
        # ---------------------------------------------------------------- deflection (partial)
        (
            "uk_written",
            "deflection",
            _W + "Housing, Communities and Local Government, how many social rent homes were "
            "completed in 2024.",
            "The last Conservative government left social housebuilding at a record low. Under "
            "this Government completions of social rent homes rose through 2024, and our new "
            "programme will deliver far more.",
        ),
        (
            "uk_oral",
            "deflection",
            "Will the Prime Minister admit that hospital waiting lists in Yorkshire are longer now "
            "than when he took office?",
            "Let me tell the hon. Gentleman what the party opposite did to the NHS. Waiting lists "
            "in Yorkshire have fallen for six months in a row, and we will keep going.",
        ),
        (
            "committee",
            "deflection",
            "Why did the courts digitisation programme overrun its budget by £40 million?",
            "The more important point is what has been delivered: the system is now live in nine "
            "out of ten courts. Some costs rose because the pandemic delayed the roll-out.",
        ),
        (
            "press",
            "deflection",
            "Prime Minister, did you know about the donation before the story broke?",
            "The real issue here is whether the rules are clear enough, and I have asked for them "
            "to be tightened. I was told about it shortly before the story appeared.",
        ),
        (
            "earnings",
            "deflection",
            "Why did free cash flow fall so sharply in the quarter?",
            "What I'd point to is the strength of the order book, which is at a record. Working "
            "capital was a drag in the period because of the timing of customer payments.",
        ),
        (
            "foi",
            "deflection",
            "Please explain why the opening hours of Fenwick library were cut in April.",
            "The council's funding from central government has fallen by 40 per cent in real terms "
            "since 2010, and that has forced difficult decisions about every service, libraries "
            "included.",
        ),
        # ---------------------------------------------------------------- dodging (evasive)
        (
            "uk_written",
            "dodging",
            _W + "the Home Department, how many asylum claims were decided at the Glasgow "
            "processing centre in June 2025.",
            "The Government is transforming the asylum system so that claims are decided fairly "
            "and quickly. Nationally we have recruited over 1,000 additional decision-makers and "
            "introduced new digital case-working tools.",
        ),
        (
            "uk_oral",
            "dodging",
            "Will the Secretary of State confirm whether the Dunmore steelworks will receive the "
            "promised £200 million?",
            "Our industrial strategy is the most ambitious in a generation. We have set out a clear "
            "plan for British industry, backed by the National Wealth Fund, and we are working with "
            "every part of the sector to secure its future.",
        ),
        (
            "committee",
            "dodging",
            "How many of the 400 new prison places promised at Fernhill have actually opened?",
            "We are delivering the biggest prison building programme since the Victorian era. "
            "Thousands of places are under construction across the estate, and our sentencing "
            "reforms will ease the pressure on capacity.",
        ),
        (
            "press",
            "dodging",
            "Minister, when did you first see the leaked memo?",
            "Look, what people at home care about is the cost of living, and that is what this "
            "government is focused on. We've frozen fuel duty, we've cut energy bills and wages are "
            "rising again.",
        ),
        (
            "earnings",
            "dodging",
            "What were the restructuring charges in the third quarter?",
            "We're really excited about the product pipeline. Three launches are on track for next "
            "year and the customer feedback on the beta has been tremendous.",
        ),
        (
            "foi",
            "dodging",
            "Please state how much the council paid Brightline Consulting in 2024.",
            "Value for money for residents is at the heart of the council's procurement strategy. "
            "Our suppliers are chosen through open competition and every contract is overseen by "
            "the procurement board.",
        ),
        # ---------------------------------------------------------------- declining (evasive)
        (
            "uk_written",
            "declining",
            _W + "Defence, how many F-35 aircraft are currently available for operations.",
            "For reasons of national security, the Ministry of Defence does not comment on the "
            "availability of specific aircraft fleets.",
        ),
        (
            "uk_oral",
            "declining",
            "Will the Minister tell the House what the settlement with the former chief executive "
            "cost the taxpayer?",
            "The terms of the settlement are covered by a confidentiality agreement, and it would "
            "not be appropriate for me to discuss them at the Dispatch Box.",
        ),
        (
            "committee",
            "declining",
            "What price did the department pay per dose for the new vaccine?",
            "The price is commercially sensitive and we will not disclose it, because doing so "
            "would weaken our hand in future negotiations.",
        ),
        (
            "press",
            "declining",
            "Inspector, how many suspects are you looking for?",
            "I'm not going to go into the detail of the investigation at this stage.",
        ),
        (
            "earnings",
            "declining",
            "What operating margin are you expecting in the second half?",
            "We don't give guidance on half-year margins, so I won't comment on that.",
        ),
        (
            "foi",
            "declining",
            "Please provide the names of the firms that bid for the Kestrel Road contract.",
            "This information is withheld under section 43 of the Freedom of Information Act, as "
            "its release would prejudice the commercial interests of the bidders.",
        ),
        # ---------------------------------------------------------------- not_held (evasive)
        (
            "uk_written",
            "not_held",
            _W + "Justice, how many prisoners released in error were returned to custody within 48 "
            "hours in 2024.",
            "This information is not held centrally and could only be obtained at disproportionate "
            "cost.",
        ),
        (
            "uk_oral",
            "not_held",
            "How many children in Sunderland are waiting for an autism assessment?",
            "The Department does not hold this information at local authority level; waiting "
            "lists are kept by the health services that carry out the assessments.",
        ),
        (
            "committee",
            "not_held",
            "How many contractors had access to the database before the breach?",
            "I'm afraid we don't keep records of contractor access in that form.",
        ),
        (
            "press",
            "not_held",
            "Commissioner, how many of those arrested were under 18?",
            "I don't have that figure with me, I'm afraid.",
        ),
        (
            "earnings",
            "not_held",
            "How many active users do you have in India?",
            "We don't collect active user numbers by country, so there isn't a figure for India.",
        ),
        (
            "foi",
            "not_held",
            "Please provide the number of staff in each directorate who took stress-related "
            "sickness absence in 2024.",
            "The council does not record the reason for sickness absence in a way that would allow "
            "this to be identified, so the information is not held.",
        ),
        # ---------------------------------------------------------------- referral (evasive)
        (
            "uk_written",
            "referral",
            _W
            + "Energy Security and Net Zero, how many heat pumps were installed under the Boiler "
            "Upgrade Scheme in 2024.",
            "I refer the hon. Member to the answer I gave on 12 March 2025 to Question UIN 38211.",
        ),
        (
            "uk_oral",
            "referral",
            "Will the Secretary of State tell the House how much the new hospital in Hexford will "
            "cost?",
            "As I said earlier, I refer my hon. Friend to the statement I made to the House last "
            "week.",
        ),
        (
            "committee",
            "referral",
            "What was the department's total spend on temporary staff last year?",
            "That figure is set out in the annual report, which was laid before Parliament in "
            "July.",
        ),
        (
            "press",
            "referral",
            "How many people are on the sex offenders register in the county?",
            "That is all published on the Ministry of Justice website, and I'd point you there.",
        ),
        (
            "earnings",
            "referral",
            "What was the impairment charge on the retail division?",
            "That's broken out in the quarterly filing we made this morning, so I'd refer you to "
            "note seven.",
        ),
        (
            "foi",
            "referral",
            "Please tell me how many parking permits were issued in Zone C in 2024.",
            "This information is published on the council's website at "
            "www.wellbridge.gov.uk/parking-data, where permit numbers are listed for every zone.",
        ),
        # ---------------------------------------------------------------- transfer (evasive)
        (
            "uk_written",
            "transfer",
            _W
            + "Scotland, how many ambulances waited more than an hour outside Scottish hospitals "
            "in August 2025.",
            "Health is a devolved matter, and this is a question for the Scottish Government.",
        ),
        (
            "uk_oral",
            "transfer",
            "Will the Home Secretary tell the House why so few burglaries in Kentford are being "
            "investigated?",
            "Decisions about which crimes to investigate are a matter for the chief constable, and "
            "the police are operationally independent of ministers.",
        ),
        (
            "committee",
            "transfer",
            "Minister, how many planning appeals against Wellbridge council were allowed last "
            "year?",
            "That is a matter for the Planning Inspectorate rather than the Department.",
        ),
        (
            "press",
            "transfer",
            "Will the government step in to stop the closure of the Riverside pool?",
            "Leisure centres are a matter for local councils, and it is for Harbridge council to "
            "decide how it runs its own facilities.",
        ),
        (
            "earnings",
            "transfer",
            "When will the merger get regulatory approval?",
            "That's a matter for the Competition and Markets Authority, and we wouldn't want to "
            "put words in their mouth.",
        ),
        (
            "foi",
            "transfer",
            "Please provide the number of pupils excluded from Oakfield Academy in 2024.",
            "Oakfield Academy is not run by the council. Your request is a matter for the academy "
            "trust, to which you may wish to write directly.",
        ),
        # ---------------------------------------------------------------- holding (evasive)
        (
            "uk_written",
            "holding",
            _W + "Culture, Media and Sport, when the review of football club ownership rules will "
            "publish its findings.",
            "The review will publish its findings in due course.",
        ),
        (
            "uk_oral",
            "holding",
            "How many families in Wales have received the new cost of living payment?",
            "I will write to the hon. Lady with the figures for Wales.",
        ),
        (
            "committee",
            "holding",
            "How much has the department set aside this year for compensation to sub-postmasters?",
            "I'd like to come back to the committee on that in writing once the figures are final.",
        ),
        (
            "press",
            "holding",
            "Chancellor, will you raise the stamp duty threshold?",
            "No decision has been taken, and all of that will be set out at the Budget.",
        ),
        (
            "earnings",
            "holding",
            "What is your capital expenditure plan for 2026?",
            "We will set out the 2026 plan at the capital markets day in March, and we'll give you "
            "the detail then.",
        ),
        (
            "foi",
            "holding",
            "Please provide a copy of the internal audit report on the waste collection contract.",
            "We are still considering your request and will respond in full as soon as possible.",
        ),
        # ---------------------------------------------------------------- clarification
        (
            "uk_written",
            "clarification",
            _W + "Work and Pensions, how many claimants were affected by the change.",
            "It is unclear which change the hon. Member is referring to. If the hon. Member could "
            "specify the policy concerned, officials will look for the relevant figures.",
        ),
        (
            "uk_oral",
            "clarification",
            "Will the Minister confirm the figures for the scheme in the north?",
            "I'm not sure what the hon. Gentleman means by the north. If he could clarify which "
            "regions he has in mind, I would be glad to help.",
        ),
        (
            "committee",
            "clarification",
            "How much did the programme cost?",
            "Could you clarify whether you mean the original pilot or the national programme? They "
            "were costed quite differently.",
        ),
        (
            "press",
            "clarification",
            "Are you going to U-turn on this?",
            "What do you mean by a U-turn? Which policy are you talking about?",
        ),
        (
            "earnings",
            "clarification",
            "What's the number for the new segment?",
            "Sorry, could you be more specific? Are you asking about revenue or operating profit "
            "for the segment?",
        ),
        (
            "foi",
            "clarification",
            "Please send me all information about the incident.",
            "Your request does not say which incident you mean. We would need further information "
            "about the date and place to be able to identify it, so please could you clarify your "
            "request.",
        ),
    )
)


# =========================================================================== invariance


@dataclass(frozen=True)
class Perturbation:
    """A named change to a (question, answer) pair; ``None`` when it does not apply."""

    name: str
    exact: bool  # True: the score must be identical; False: within TOLERANCE
    apply: Callable[[str, str], tuple[str, str] | None]


_SENT = re.compile(r"(?<=[.?!])\s+(?=[A-Z])")


def _sentences(text: str) -> list[str]:
    return _SENT.split(text)


def _entities(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("'", "&rsquo;")
        .replace("£", "&pound;")
        .replace(" per cent", "&nbsp;per cent")
        .replace('"', "&quot;")
    )


def html_paragraphs(q: str, a: str) -> tuple[str, str]:
    """Each answer sentence in its own <p>, entities for quotes, pounds and spaces."""
    body = "".join(f"<p>{_entities(s)}</p>\n" for s in _sentences(a))
    return f"<p><strong>{_entities(q)}</strong></p>", f'<div class="answer">\n{body}</div>'


def html_breaks(q: str, a: str) -> tuple[str, str]:
    """Sentences joined with <br> tags, inline <em>, numeric entities."""
    parts = _sentences(a)
    parts[0] = "<em>" + parts[0] + "</em>"
    return (
        q.replace("'", "&#8217;"),
        "<br>".join(parts).replace("'", "&#x2019;").replace("£", "&#163;") + "<br/>",
    )


def whitespace(q: str, a: str) -> tuple[str, str]:
    """Line breaks, tabs, doubled spaces, CRLF and padding at both ends."""
    return (
        "\n  " + q.replace(", ", ",\n", 1) + "\t\n",
        "\r\n" + "\n\n".join(s.replace(" ", "  ", 2) for s in _sentences(a)) + "   \n",
    )


def _substitute(mapping: dict[str, str]) -> Callable[[str, str], tuple[str, str] | None]:
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, mapping)) + r")\b")

    def apply(q: str, a: str) -> tuple[str, str] | None:
        if not (pattern.search(q) or pattern.search(a)):
            return None
        return (
            pattern.sub(lambda m: mapping[m.group()], q),
            pattern.sub(lambda m: mapping[m.group()], a),
        )

    return apply


PLACES = {
    "Carlisle": "Hereford",
    "Cumbria": "Norfolk",
    "Lancashire": "Staffordshire",
    "Leeds": "Bristol",
    "Cyprus": "Gibraltar",
    "Estonia": "Poland",
    "Falkland Islands": "Ascension Islands",
    "Cornwall": "Dorset",
    "Devon": "Somerset",
    "Yorkshire": "Northumberland",
    "Glasgow": "Cardiff",
    "Sunderland": "Middlesbrough",
    "Wales": "Scotland",
    "Wellbridge": "Stanmoor",
    "Brazilian": "Mexican",
    "Brazil": "Mexico",
    "India": "Indonesia",
    "Kentford": "Ashworth",
    "Hexford": "Dunmoor",
    "Fernhill": "Oakmere",
    "Ashgrove": "Birchfield",
    "Highfield": "Eastbrook",
    "Germany": "France",
    "Belgium": "Austria",
    "Netherlands": "Denmark",
    "Kent": "Essex",
    "Leicester": "Coventry",
}
PEOPLE = {
    "Chief Constable": "Chief Superintendent",
    "Commissioner": "Chief Officer",
    "Chancellor": "Treasury Secretary",
    "Prime Minister": "Deputy Prime Minister",
    "Sarah Okafor": "Helen Marsh",
    "Ms Okafor": "Ms Marsh",
    "David Pryce": "Amir Rahman",
    "Mr Pryce": "Mr Rahman",
    "Lord Benmore": "Baroness Tilley",
    "Jane Whitcombe": "Rachel Iqbal",
    "Dr Whitcombe": "Dr Iqbal",
    "Home Secretary": "Justice Secretary",
    "hon. Lady": "hon. Gentleman",
}
DEPARTMENTS = {
    "Transport": "Education",
    "Health and Social Care": "Work and Pensions",
    "the Home Department": "Justice",
    "Defence": "Foreign Affairs",
    "Ministry of Defence": "Foreign Office",
    "Ministry of Justice": "Home Office",
    "Home Office": "Cabinet Office",
    "Department for Transport": "Department for Education",
    "Planning Inspectorate": "Valuation Office",
    "Competition and Markets Authority": "Financial Conduct Authority",
    "Scottish Government": "Welsh Government",
    "Scotland": "Wales",
}
US_SPELLING = {
    "organisation": "organization",
    "organisations": "organizations",
    "programme": "program",
    "programmes": "programs",
    "defence": "defense",
    "centre": "center",
    "centres": "centers",
    "licence": "license",
    "licences": "licenses",
    "behaviour": "behavior",
    "recognise": "recognize",
    "recognised": "recognized",
    "prioritise": "prioritize",
    "prioritised": "prioritized",
    "analyse": "analyze",
    "labour": "labor",
    "favour": "favor",
    "colour": "color",
    "travelled": "traveled",
    "digitisation": "digitization",
    "modernisation": "modernization",
    "neighbourhood": "neighborhood",
    "neighbourhoods": "neighborhoods",
    "authorised": "authorized",
    "cancelled": "canceled",
    "tyres": "tires",
    "kerbside": "curbside",
    "catalogue": "catalog",
    "specialised": "specialized",
}
COURTESY = " I hope this is helpful."


def courtesy(q: str, a: str) -> tuple[str, str]:
    return q, a + COURTESY


INVARIANCE_PERTURBATIONS: tuple[Perturbation, ...] = (
    Perturbation("html_paragraphs", True, html_paragraphs),
    Perturbation("html_breaks", True, html_breaks),
    Perturbation("whitespace", True, whitespace),
    Perturbation("rename_places", False, _substitute(PLACES)),
    Perturbation("rename_people", False, _substitute(PEOPLE)),
    Perturbation("rename_departments", False, _substitute(DEPARTMENTS)),
    Perturbation("us_spelling", False, _substitute(US_SPELLING)),
    Perturbation("courtesy", False, courtesy),
)

# Pairs that carry names, departments and UK spellings, so that every tolerance perturbation
# has several bases beyond the MFT cases.
EXTRA_BASES: tuple[tuple[str, str, str], ...] = (
    (
        "press-named-direct",
        "Ms Okafor, how many police community support officers will Kent lose next year?",
        "Sarah Okafor, the police and crime commissioner, has confirmed that the force will "
        "lose 48 police community support officers next year.",
    ),
    (
        "committee-named-declining",
        "Mr Pryce, how much did the Home Office pay the consultants for the review?",
        "David Pryce told the committee that the fee is commercially confidential and that "
        "the Home Office will not disclose it.",
    ),
    (
        "lords-named-holding",
        "To ask His Majesty's Government when the licence fee settlement for 2027 will be "
        "announced; and whether Lord Benmore will chair the review panel.",
        "The licence fee settlement will be announced in due course, and decisions on the "
        "review panel have not yet been taken.",
    ),
    (
        "written-organisation-direct",
        _W + "Transport, how many organisations received grants from the kerbside charging "
        "programme in 2024.",
        "In 2024, 214 organisations received grants from the kerbside charging programme, "
        "worth £38 million in total.",
    ),
    (
        "written-defence-not-held",
        _W + "Defence, how many defence contractors were authorised to handle classified "
        "material in 2024.",
        "The Ministry of Defence does not hold a central record of authorised defence "
        "contractors in that form.",
    ),
    (
        "oral-centre-partial",
        "Will the Minister tell the House how many (a) new health centres and (b) new "
        "neighbourhood pharmacies opened in Leicester last year?",
        "Four new health centres opened in Leicester last year. Information on neighbourhood "
        "pharmacies is not collected centrally.",
    ),
    (
        "committee-named-direct",
        "Dr Whitcombe, how many cancelled operations did the trust record in March?",
        "Jane Whitcombe: We recorded 137 cancelled operations in March, 40 fewer than in February.",
    ),
    (
        "written-behaviour-dodging",
        _W + "Education, how many pupils were excluded for anti-social behaviour in "
        "Leicester in 2024.",
        "The Government recognises that good behaviour is the foundation of a good education, "
        "and our behaviour hubs programme is supporting schools across the country.",
    ),
    (
        "written-ministry-justice-transfer",
        _W + "Justice, how many knife crime prevention orders were issued by the Metropolitan "
        "Police in 2024.",
        "The use of knife crime prevention orders is an operational matter for the "
        "Metropolitan Police, and the Ministry of Justice does not collect these figures.",
    ),
    (
        "oral-labour-referral",
        "Will the Chancellor tell the House what the labour market programme has cost so far?",
        "I refer the hon. Lady to the figures the Chancellor published in the programme's "
        "annual report.",
    ),
)


def invariance_bases() -> list[tuple[str, str, str]]:
    """(id, question, answer) for every base: the MFT cases, then :data:`EXTRA_BASES`."""
    return [(c.id, c.question, c.answer) for c in MFT] + list(EXTRA_BASES)


@dataclass(frozen=True)
class InvarianceCase:
    perturbation: Perturbation
    base_id: str
    question: str
    answer: str
    question2: str
    answer2: str

    @property
    def id(self) -> str:
        return f"{self.perturbation.name}-{self.base_id}"


def _invariance_cases() -> tuple[InvarianceCase, ...]:
    out = []
    for pert in INVARIANCE_PERTURBATIONS:
        for bid, q, a in invariance_bases():
            changed = pert.apply(q, a)
            if changed is None or changed == (q, a):
                continue
            out.append(InvarianceCase(pert, bid, q, a, *changed))
    return tuple(out)


INVARIANCE: tuple[InvarianceCase, ...] = _invariance_cases()


# =========================================================================== directional


@dataclass(frozen=True)
class DirectionalCase:
    """An edit of the answer and the way it must move the evasiveness score."""

    edit: str  # add_figure, prefix_refusal, delete_answer, more_parts
    name: str
    question: str
    before: str
    after: str
    direction: int  # -1: evasiveness must fall; +1: it must rise

    @property
    def id(self) -> str:
        return f"{self.edit}-{self.name}"


def _add_figure(name, q, a, figure):
    return DirectionalCase("add_figure", name, q, a, a + " " + figure, -1)


def _prefix_refusal(name, q, a, refusal):
    return DirectionalCase("prefix_refusal", name, q, a, refusal + " " + a, +1)


def _delete_answer(name, q, a, sentence):
    assert sentence in a, (name, sentence)
    return DirectionalCase(
        "delete_answer", name, q, a, " ".join(a.replace(sentence, "").split()), +1
    )


def _more_parts(name, q, a, a_more):
    return DirectionalCase("more_parts", name, q, a, a_more, -1)


DIRECTIONAL: tuple[DirectionalCase, ...] = (
    # ------------------------------------------------- appending the asked-for figure lowers
    _add_figure(
        "written-apprenticeships",
        _W + "Education, how many apprenticeships were started in the construction sector in 2024.",
        "The Government is committed to growing the construction workforce and is reforming "
        "the apprenticeship levy to give employers more flexibility.",
        "In 2024 there were 27,350 apprenticeship starts in the construction sector.",
    ),
    _add_figure(
        "written-rail-cost",
        _W + "Transport, how much was spent on rail replacement buses in the Anglia region in "
        "2023-24.",
        "Rail replacement services are arranged by train operators, and passengers are "
        "entitled to travel on them with the same ticket.",
        "Spending on rail replacement buses in the Anglia region in 2023-24 was £14.6 million.",
    ),
    _add_figure(
        "oral-nurses",
        "How many nurses have left the Royal Marsden trust this year?",
        "We value every nurse, and retention is something the trust and I take extremely "
        "seriously.",
        "Eighty-one nurses have left the trust so far this year, compared with 110 by this "
        "point last year.",
    ),
    _add_figure(
        "committee-fines",
        "How much did the regulator collect in fines last year?",
        "Enforcement is only one of our tools, and we prefer to work with firms to put "
        "things right before it comes to that.",
        "Last year we collected £212 million in fines.",
    ),
    _add_figure(
        "press-stops",
        "Chief Constable, how many stop and searches did your officers carry out during the "
        "carnival?",
        "Stop and search is an important tool, and our officers use it lawfully and "
        "proportionately.",
        "Over the three days of the carnival our officers carried out 1,146 stop and searches.",
    ),
    _add_figure(
        "earnings-churn",
        "What was customer churn in the quarter?",
        "We've invested heavily in customer experience and the early signs are encouraging.",
        "Churn in the quarter was 1.8 per cent, down from 2.3 per cent a year ago.",
    ),
    _add_figure(
        "foi-trees",
        "Please tell me how many street trees the council felled in 2024.",
        "The council manages its tree stock in line with its urban forest strategy.",
        "The council felled 342 street trees in 2024, most of them because of ash dieback.",
    ),
    _add_figure(
        "written-date",
        _W + "Environment, Food and Rural Affairs, when the consultation on bottle deposit "
        "labelling will close.",
        "The Department wants to hear from as many businesses as possible about the proposals.",
        "The consultation will close on 30 September 2025.",
    ),
    _add_figure(
        "committee-refusal-then-figure",
        "How many staff does the unit employ?",
        "We do not usually publish staffing figures for individual units.",
        "However, the figure is 64 staff, of whom 12 are part-time.",
    ),
    _add_figure(
        "written-general-then-figure",
        _W + "Health and Social Care, how many dentists were providing NHS care in Cumbria "
        "in 2024.",
        "The number of NHS dentists has increased nationally and we are reforming the dental "
        "contract.",
        "In Cumbria, 231 dentists were providing NHS care in 2024.",
    ),
    # ------------------------------------------------- prefixing a refusal raises
    _prefix_refusal(
        "written-buses",
        _W + "Transport, how many bus routes were withdrawn in Lincolnshire in 2024.",
        "In 2024, 23 bus routes were withdrawn in Lincolnshire.",
        "The Department does not normally comment on decisions by individual operators.",
    ),
    _prefix_refusal(
        "oral-yes",
        "Will the Minister publish the inspection report on Longmoor barracks?",
        "Yes, we will publish it before the summer recess.",
        "It would not be appropriate for me to comment on an ongoing inspection.",
    ),
    _prefix_refusal(
        "committee-cost",
        "What did the new payroll system cost?",
        "The payroll system cost £7.4 million, including two years of support.",
        "Some of this is commercially sensitive.",
    ),
    _prefix_refusal(
        "press-officers",
        "How many officers were on duty at the concert?",
        "We had 320 officers on duty at the concert.",
        "I'm not going to go into operational detail.",
    ),
    _prefix_refusal(
        "earnings-margin",
        "What was the gross margin on the new product line?",
        "The new line delivered a gross margin of $46 million on sales of $150 million.",
        "We don't usually break out product lines.",
    ),
    _prefix_refusal(
        "foi-complaints",
        "Please provide the number of complaints the council received about potholes in 2024.",
        "The council received 4,377 complaints about potholes in 2024.",
        "Some of the information you asked for is exempt under section 31 of the Act.",
    ),
    _prefix_refusal(
        "written-partial",
        _W + "Justice, how many court interpreters were booked in (a) Leeds and (b) "
        "Sheffield in 2024.",
        "In 2024, 1,920 court interpreter bookings were made in Leeds.",
        "The Ministry of Justice does not hold complete booking data.",
    ),
    _prefix_refusal(
        "oral-reason",
        "Why has the opening of the Clifton station been delayed?",
        "The opening has been delayed because the signalling contractor went into "
        "administration in March.",
        "I am not in a position to discuss the contract in detail.",
    ),
    # ------------------------------------------------- deleting the only answering sentence
    _delete_answer(
        "written-grants",
        _W + "Culture, Media and Sport, how many grants the arts recovery fund awarded in 2024.",
        "The arts recovery fund supports organisations across the country. It awarded 612 "
        "grants in 2024. The fund is administered by the arts council.",
        "It awarded 612 grants in 2024.",
    ),
    _delete_answer(
        "oral-yes",
        "Will the Secretary of State meet the families of the victims?",
        "I have enormous sympathy for the families. Yes, I will meet them next week. This "
        "has been a terrible time for everyone in the town.",
        "Yes, I will meet them next week.",
    ),
    _delete_answer(
        "committee-spend",
        "How much did the agency spend on IT contractors last year?",
        "We have been trying to bring more of that work in-house. The agency spent £18.2 "
        "million on IT contractors last year. We expect that to fall.",
        "The agency spent £18.2 million on IT contractors last year.",
    ),
    _delete_answer(
        "press-date",
        "When will the new bridge open to traffic?",
        "It has been a complex project and I thank residents for their patience. The bridge "
        "will open to traffic on 3 March. There will be a ceremony beforehand.",
        "The bridge will open to traffic on 3 March.",
    ),
    _delete_answer(
        "earnings-headcount",
        "How many employees did you have at the end of the year?",
        "We've been disciplined about hiring. We ended the year with 14,200 employees. "
        "Productivity per head is up again.",
        "We ended the year with 14,200 employees.",
    ),
    _delete_answer(
        "foi-fines",
        "Please tell me how many fixed penalty notices for littering the council issued in 2024.",
        "Thank you for your request. The council issued 2,045 fixed penalty notices for "
        "littering in 2024. Enforcement is carried out by the council's own officers.",
        "The council issued 2,045 fixed penalty notices for littering in 2024.",
    ),
    _delete_answer(
        "written-reason",
        _W + "Transport, why the Maybridge line electrification was paused.",
        "The Department keeps all rail investment under review. Electrification of the "
        "Maybridge line was paused because the cost estimate doubled to £1.1 billion. "
        "Options for the line are being considered.",
        "Electrification of the Maybridge line was paused because the cost estimate doubled "
        "to £1.1 billion.",
    ),
    _delete_answer(
        "written-count-with-refusal",
        _W + "Defence, how many Royal Navy frigates are currently at sea.",
        "Seven Royal Navy frigates are currently at sea. We do not comment on their locations.",
        "Seven Royal Navy frigates are currently at sea.",
    ),
    # ------------------------------------------------- answering one more part lowers
    _more_parts(
        "written-3-parts-0-to-1",
        _W + "Defence, how many personnel are posted to (a) Norway, (b) Canada and (c) Kenya.",
        "The Ministry of Defence does not give numbers of personnel posted to individual "
        "countries.",
        "There are 380 personnel posted to Norway. The Ministry of Defence does not give "
        "numbers for the other countries.",
    ),
    _more_parts(
        "written-3-parts-1-to-2",
        _W + "Defence, how many personnel are posted to (a) Norway, (b) Canada and (c) Kenya.",
        "There are 380 personnel posted to Norway. The Ministry of Defence does not give "
        "numbers for the other countries.",
        "There are 380 personnel posted to Norway and 210 posted to Canada. The Ministry of "
        "Defence does not give numbers for the other country.",
    ),
    _more_parts(
        "written-3-parts-2-to-3",
        _W + "Defence, how many personnel are posted to (a) Norway, (b) Canada and (c) Kenya.",
        "There are 380 personnel posted to Norway and 210 posted to Canada. The Ministry of "
        "Defence does not give numbers for the other country.",
        "There are 380 personnel posted to Norway, 210 posted to Canada and 95 posted to Kenya.",
    ),
    _more_parts(
        "oral-2-parts",
        "Will the Minister tell the House how many libraries have closed in (a) Derbyshire "
        "and (b) Nottinghamshire since 2020?",
        "Six libraries have closed in Derbyshire since 2020. I do not have the figure for "
        "Nottinghamshire.",
        "Six libraries have closed in Derbyshire since 2020 and four in Nottinghamshire.",
    ),
    _more_parts(
        "committee-years",
        "How many data breaches did the department report in each of the last three years?",
        "The department reported 41 data breaches in 2024. Figures for earlier years are not held.",
        "The department reported 41 data breaches in 2024 and 37 in 2023. Figures for 2022 "
        "are not held.",
    ),
    _more_parts(
        "foi-breakdown",
        "Please provide the number of parking fines issued in (a) Northgate, (b) Southgate, "
        "(c) Eastgate and (d) Westgate car parks in 2024.",
        "In 2024, 812 parking fines were issued in Northgate car park and 540 in Southgate "
        "car park. Figures for the other car parks are not held.",
        "In 2024, 812 parking fines were issued in Northgate car park, 540 in Southgate car "
        "park and 301 in Eastgate car park. Figures for Westgate are not held.",
    ),
    _more_parts(
        "earnings-regions",
        "Can you give us revenue growth for (a) North America and (b) Europe?",
        "North America grew revenue 11 per cent. We don't disclose the European number.",
        "North America grew revenue 11 per cent and Europe grew revenue 6 per cent.",
    ),
    _more_parts(
        "written-amounts",
        _W + "Health and Social Care, how much was spent on (a) agency nurses and (b) "
        "locum doctors by the Royal Devon trust in 2024-25.",
        "Spending on agency nurses by the Royal Devon trust in 2024-25 was £9.3 million. "
        "Information on locum doctors is not held centrally.",
        "Spending on agency nurses by the Royal Devon trust in 2024-25 was £9.3 million, and "
        "spending on locum doctors was £12.8 million.",
    ),
)


# =========================================================================== checks


def _fmt(a) -> str:
    p = a.probabilities
    return (
        f"{a.label} {a.evasiveness:.3f} [{p['direct']:.2f}/{p['partial']:.2f}/"
        f"{p['evasive']:.2f}] {a.technique}"
    )


def check_mft_label(model, case: Case) -> tuple[bool, str]:
    a = model.score(case.question, case.answer)
    return a.label == case.label, f"expected {case.label}, got {_fmt(a)}"


def check_mft_technique(model, case: Case) -> tuple[bool, str]:
    a = model.score(case.question, case.answer)
    return a.technique == case.technique, f"expected {case.technique}, got {_fmt(a)}"


def check_invariance(model, case: InvarianceCase) -> tuple[bool, str]:
    a = model.score(case.question, case.answer)
    b = model.score(case.question2, case.answer2)
    delta = b.evasiveness - a.evasiveness
    if case.perturbation.exact:
        ok = (
            a.evasiveness == b.evasiveness
            and a.probabilities == b.probabilities
            and a.label == b.label
            and a.technique == b.technique
        )
        return ok, f"{_fmt(a)} -> {_fmt(b)} (must be identical)"
    ok = abs(delta) <= TOLERANCE
    return ok, f"{_fmt(a)} -> {_fmt(b)}, change {delta:+.3f} (tolerance {TOLERANCE})"


def check_directional(model, case: DirectionalCase) -> tuple[bool, str]:
    a = model.score(case.question, case.before)
    b = model.score(case.question, case.after)
    delta = b.evasiveness - a.evasiveness
    ok = delta * case.direction > MIN_CHANGE
    want = "fall" if case.direction < 0 else "rise"
    return ok, f"{_fmt(a)} -> {_fmt(b)}, change {delta:+.3f} (must {want} by > {MIN_CHANGE})"


@dataclass(frozen=True)
class Check:
    kind: str  # one of KINDS
    test: str  # the pytest function that runs it
    id: str  # the pytest parameter id
    run: Callable[[object], tuple[bool, str]]


def all_checks() -> list[Check]:
    """Every behavioural check, with the kind, test name and parameter id pytest uses."""
    out = []
    for c in MFT:
        out.append(Check(KINDS[0], "test_mft_label", c.id, lambda m, c=c: check_mft_label(m, c)))
    for c in MFT:
        if c.technique in TECHNIQUE_CHECKED:
            out.append(
                Check(
                    KINDS[0], "test_mft_technique", c.id, lambda m, c=c: check_mft_technique(m, c)
                )
            )
    for c in INVARIANCE:
        out.append(Check(KINDS[1], "test_invariance", c.id, lambda m, c=c: check_invariance(m, c)))
    for c in DIRECTIONAL:
        out.append(
            Check(KINDS[2], "test_directional", c.id, lambda m, c=c: check_directional(m, c))
        )
    return out


# =========================================================================== known limits
# "test_name[param-id]" -> why the shipped model fails it. Kept in step with README.md's
# "Known limits" section; `python -m tests.behaviour.report` prints the current differences.

_IMPLICIT = "no feature sees an answer implied but not stated; it reads as dodging"
_COURTESY = (
    "a sentence that carries nothing ('I hope this is helpful.') halves the mean "
    "relevance and the share of typed sentences (rel_mean, type_share), moving a short "
    "answer by more than the 0.1 tolerance"
)
_PREFIX = (
    "a refusal sentence before the figure lowers the score: the model learned "
    "'refusal, then the figure' as an override (direct), and the lexicon misses "
    "'does not normally comment' / 'don't usually break out'"
)

IMPLICIT_AS_DIRECT = "the real-answer model reads a fact that points one way ('we have held talks with the council', 'the review is under way') as settling the question: on real written answers readers often call such answers direct (GUIDELINES rule 1, clarification 23), and the model learned that; these spoken and earnings cases were written as implicit"
GENERAL_AS_DIRECT = "a general on-topic answer with no figure reads as direct: on real written answers the model learned that on-topic answers usually reply, and nothing checks that the specific ask (a place, a figure) is missing when it is not a requested part"
KNOWN_LIMITS: dict[str, str] = {
    "test_mft_label[uk_oral-implicit]": IMPLICIT_AS_DIRECT,
    "test_mft_label[committee-implicit]": IMPLICIT_AS_DIRECT,
    "test_mft_label[earnings-implicit]": IMPLICIT_AS_DIRECT,
    "test_mft_label[foi-implicit]": IMPLICIT_AS_DIRECT,
    "test_mft_label[uk_written-general]": GENERAL_AS_DIRECT,
    "test_mft_label[committee-general]": GENERAL_AS_DIRECT,
    "test_mft_label[press-general]": "a national figure for a local question is taken as the answer: the place asked about (Leeds) is not a requested part, so nothing checks it",
    "test_mft_label[earnings-general]": GENERAL_AS_DIRECT,
    "test_mft_label[uk_oral-deflection]": "an attack on the other side followed by a related claim ('waiting lists have fallen for six months') reads as dodging, not as a deflection that gives something",
    "test_mft_label[committee-deflection]": "any causal connective ('because') answers a 'why' question fully: a loose reason reads as direct",
    "test_mft_label[earnings-deflection]": "a loose reason after a pivot ('What I'd point to is') reads as a reason given: direct",
    "test_mft_label[foi-deflection]": "'since 2010' counts as a reason ('since' is read as causal), so a funding complaint answers 'why' fully",
    "test_mft_label[uk_oral-dodging]": "a yes/no question answered with confident policy claims ('the most ambitious in a generation', 'a clear plan') reads as an implied answer (partial): no feature tells a claim about the topic from an answer to the question",
    "test_mft_technique[uk_oral-dodging]": "see the label case: read as implicit",
    "test_invariance[rename_departments-committee-named-declining]": "renaming the department moves the score by 0.100, just over the 0.1 tolerance: the question's text model (trained on real questions) knows department names, so a rename shifts its view a little",
}


def marks_for(test: str, case_id: str) -> list:
    """The pytest marks of one case: a strict xfail when it is a known limit."""
    import pytest

    reason = KNOWN_LIMITS.get(f"{test}[{case_id}]")
    if reason is None:
        return []
    # raises=AssertionError: only the expected wrong answer counts as the known limit; a crash
    # (any other exception) fails the suite instead of passing as "expected" (issue 14).
    return [pytest.mark.xfail(strict=True, raises=AssertionError, reason=f"known limit: {reason}")]
