"""A deterministic synthetic corpus of research-brief articles, for benchmarks.

``generate(root, n)`` writes a whole Brief content folder (``root/content/``):
several publications, issues of about five articles with one volume per year
and dates going back in time, about ``n / 15`` authors (at most 300) and 200
topics. Each article has the shape of a real brief: about 1,800 words of
generated prose in sections, about 40 inline citations in the house forms, five
endnotes (some under ``notes:`` in the front-matter, some defined in the body),
one captioned pipe table with a source line, Chinese terms in both scripts, a
two- or three-bullet summary, one to three authors and one to three topics. No
images: the image pipeline is benchmarked on its own.

``generate_hugo(root, n)`` writes the *same* articles as a Hugo site
(``root/hugo.toml``, ``root/content/``, ``root/layouts/``), so that Hugo does
comparable work: Markdown with footnotes and tables, one page per article, per
publication, per issue, per author and per topic, a home page and a sitemap.

Everything comes from ``random.Random(seed)`` and fixed word lists; nothing
depends on the clock, so the same ``(n, seed)`` always gives the same files.
The prose is assembled from word lists: it reads like English, says nothing,
and copies no text.

    python benchmarks/corpus.py --n 1000 --out /tmp/corpus-1000 [--hugo]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

#: The newest issue of the newest publication; everything else is older.
END_DATE = dt.date(2026, 1, 14)
ARTICLES_PER_ISSUE = (4, 5, 5, 5, 6)
WORDS_PER_ARTICLE = (1700, 1900)
#: Parenthetical citations in the body; with `;` groups and citations in notes, about 40 cited links.
CITATIONS_PER_ARTICLE = 33
NOTES_PER_ARTICLE = 5
TOPIC_COUNT = 200
MAX_AUTHORS = 300

# (folder, title, days between issues, share of the articles, ISSN)
PUBLICATIONS = (
    ("china-brief", "China Brief", 14, 0.40, "1555-7855"),
    ("eurasia-monitor", "Eurasia Monitor", 7, 0.30, "2940-0011"),
    ("terrorism-monitor", "Terrorism Monitor", 14, 0.20, "2940-0028"),
    ("maritime-review", "Maritime Review", 28, 0.10, "2940-0035"),
)

# ---------------------------------------------------------------- word lists

FIRST_NAMES = (
    "Amara", "Bao", "Camille", "Dmitri", "Elif", "Farid", "Greta", "Hiroshi", "Ines", "Jonas",
    "Kavya", "Lars", "Mei", "Nadia", "Oluwaseun", "Pavel", "Qing", "Rosa", "Sanjay", "Tamar",
    "Ulrich", "Valentina", "Wen", "Xavier", "Yara", "Zoltan", "Aiko", "Bruno", "Chiara", "Diego",
    "Esther", "Femi", "Gabriel", "Hana", "Ivan", "Jia", "Kofi", "Leila", "Mateo", "Noor",
    "Oskar", "Priya", "Rafael", "Sofia", "Tomasz", "Uma", "Viktor", "Wanjiru", "Yusuf", "Zhen",
)
LAST_NAMES = (
    "Abbott", "Bekele", "Castellanos", "Dimitrov", "Eriksen", "Fontaine", "Gallagher", "Haddad",
    "Ibrahim", "Jovanovic", "Kowalski", "Lindqvist", "Mensah", "Nakamura", "Okafor", "Petrov",
    "Quintero", "Rahman", "Sandoval", "Tanaka", "Ueda", "Varga", "Whitfield", "Xu", "Yilmaz",
    "Zhang", "Alvarez", "Brennan", "Chen", "Demir", "Esposito", "Fischer", "Guerrero", "Huang",
    "Iqbal", "Jensen", "Kuznetsova", "Lopez", "Morales", "Nguyen", "Ortega", "Park", "Reyes",
    "Sato", "Tran", "Vasquez", "Wang", "Yamamoto", "Zielinski", "Lin",
)
AFFILIATIONS = (
    "Senior Fellow, Lantern Hill Institute", "Research Associate, Lantern Hill Institute",
    "Professor of Political Science, Northfield University", "Independent analyst",
    "Visiting Scholar, Institute for Maritime Affairs", "Editor, Lantern Hill Institute",
    "Assistant Professor, School of International Studies", "Non-resident Fellow, Center for Strategic Research",
    "Doctoral candidate, Department of War Studies", "Former naval officer and consultant",
)
REGIONS = (
    "the Taiwan Strait", "the South China Sea", "the East China Sea", "Central Asia", "the Sahel",
    "the Arctic", "the Black Sea", "the Caucasus", "the Horn of Africa", "the Korean Peninsula",
    "the Baltic", "the Indian Ocean", "the Western Pacific", "the Gulf of Aden", "the Himalayas",
    "the Persian Gulf", "the Mekong basin", "the Red Sea", "the Caspian region", "the Balkans",
)
TOPIC_PLACES = (
    "Taiwan", "South China Sea", "Central Asia", "Sahel", "Arctic", "Black Sea", "Caucasus",
    "Horn of Africa", "Korean Peninsula", "Baltic", "Indian Ocean", "Western Pacific", "Red Sea",
    "Himalayas", "Persian Gulf", "Mekong", "Caspian", "Balkans", "Xinjiang", "Hong Kong",
)
TOPIC_THEMES = (
    "Naval Power", "Air Defense", "Cyber Operations", "Energy Security", "Elite Politics",
    "Border Security", "Arms Sales", "Military Exercises", "Economic Coercion", "Insurgency",
    "Diplomacy", "Nuclear Policy", "Space Programs", "Coast Guard", "Propaganda", "Supply Chains",
    "Defense Industry", "Party Discipline", "Migration", "Infrastructure",
)
OUTLETS = (
    "Reuters", "Xinhua", "MND", "Global Times", "Nikkei Asia", "Focus Taiwan", "PLA Daily",
    "South China Morning Post", "The Diplomat", "Kyodo", "Yonhap", "TASS", "Interfax", "Al Jazeera",
    "BBC", "Financial Times", "Caixin", "People's Daily", "Liberty Times", "CNA", "Defense News",
    "United Daily News", "Asahi Shimbun", "Radio Free Asia", "Kommersant", "Eurasianet", "RIA Novosti",
    "Dawn", "The Hindu", "Jakarta Post",
)
SUBJECTS = (
    "the ministry", "the navy", "the coast guard", "regional commanders", "the Eastern Theater Command",
    "senior officials", "the defense ministry", "provincial authorities", "the foreign ministry",
    "state media", "the legislature", "party leaders", "independent analysts", "the air force",
    "the customs administration", "shipping companies", "the central bank", "the energy regulator",
    "military planners", "the cabinet", "opposition lawmakers", "local militia units",
    "the rocket force", "border guards", "the state shipbuilder", "the interior ministry",
    "security services", "the presidential office", "regional governors", "the general staff",
)
VERBS_PAST = (
    "announced", "expanded", "postponed", "reviewed", "defended", "criticized", "funded",
    "scaled back", "publicized", "tested", "restructured", "monitored", "extended", "justified",
    "downplayed", "accelerated", "formalized", "renewed", "questioned", "revised", "suspended",
    "resumed", "endorsed", "rejected", "streamlined", "quietly shelved", "doubled", "tightened",
)
VERBS_BASE = (
    "announce", "expand", "postpone", "review", "defend", "fund", "scale back", "test",
    "restructure", "monitor", "extend", "accelerate", "formalize", "renew", "revise", "suspend",
    "resume", "endorse", "reject", "tighten",
)
VERBS_PRESENT = (
    "suggests", "indicates", "implies", "shows", "confirms", "hints", "makes clear", "underlines",
)
OBJECTS = (
    "a new round of training drills", "its annual procurement plan", "the reserved airspace areas",
    "cooperation with neighboring states", "the pace of patrols near the median line",
    "a revised export control list", "joint exercises with partner navies",
    "the budget for maritime surveillance", "a series of amphibious landing rehearsals",
    "restrictions on rare-earth exports", "the deployment of long-range rocket artillery",
    "port calls across the region", "its rules for reporting incidents at sea",
    "a campaign against corruption in procurement", "the civil-military fusion program",
    "the training of reserve forces", "a network of coastal radar stations",
    "the licensing of foreign fishing fleets", "the modernization of its submarine fleet",
    "a dialogue on crisis communication", "the construction of forward airfields",
    "new guidelines for information operations", "its presence on disputed islands",
    "subsidies for dual-use industries", "the rotation of senior commanders",
    "emergency grain reserves", "the inspection regime for merchant vessels",
    "a memorandum on energy transit", "the recruitment of technical specialists",
    "sanctions on defense contractors", "the protection of undersea cables",
)
TIME_PHRASES = (
    "in early December", "over eight consecutive days", "for the third time this year",
    "during the spring training cycle", "after months of preparation", "within days of the announcement",
    "earlier in the week", "at the end of the fiscal year", "shortly before the party plenum",
    "in the run-up to the election", "during the summer typhoon season", "late last year",
    "in the weeks that followed", "on the eve of the summit", "throughout the autumn",
    "in the first quarter", "after a two-year pause", "without public explanation",
)
ADJECTIVES = (
    "sizeable", "unusual", "limited", "sustained", "symbolic", "coordinated", "routine",
    "unprecedented", "modest", "ambitious", "contested", "gradual", "abrupt", "carefully staged",
    "largely overlooked", "long-planned",
)
EVENT_NOUNS = (
    "deployment", "exercise", "announcement", "reshuffle", "inspection", "patrol", "agreement",
    "budget increase", "crackdown", "visit", "drill", "investigation", "negotiation", "campaign",
)
ADVERBS = (
    "quickly", "quietly", "gradually", "visibly", "cautiously", "repeatedly", "steadily",
    "unexpectedly", "deliberately", "publicly",
)
ABSTRACT_NOUNS = (
    "pattern", "sequence", "timing", "choice of venue", "scale of the effort", "shift in tone",
    "absence of a named exercise", "wording of the statement", "level of participation",
)
GROUPS = ("observers", "diplomats", "analysts", "officials", "journalists", "military attachés", "scholars")
CONNECTORS = ("but", "and", "yet", "so", "while")
DOC_NOUNS = (
    "the white paper", "the official readout", "the annual report", "the budget document",
    "a leaked memorandum", "the procurement notice", "the ministry's statement", "the court filing",
    "the shipping notice", "the satellite imagery",
)
HEADINGS = (
    "Background", "What the {noun} Shows", "Implications for {place}", "A Shift in {theme}",
    "The Role of {theme}", "Reading the Signals", "Costs and Constraints", "Outlook",
    "{theme} and {theme2}", "Why the {noun} Matters", "The View from {place}", "Conclusion",
)
#: Sentence forms; each {SLOT} is filled with a word or phrase from SLOTS, left to right.
SENTENCE_FORMS = (
    "{S} {VP} {O} {T}",
    "{T}, {S} {VP} {O}",
    "according to {DOC}, {S} {VP} {O} {T}",
    "{S} may {VB} {O} if {S} {ADV} {VP} {O}",
    "this {ABS} {VPR} that {S} will {VB} {O} in {R}",
    "the {ADJ} {EV} unfolded {ADV}, {CONJ} {S} {VP} {O}",
    "{S} {VP} {O}, while {S} {VP} {O}",
    "few {G} expected {S} to {VB} {O} so {ADV}",
    "in {R}, {S} {VP} {O} {T}",
    "{DOC} noted that {S} had {ADV} {VP} {O}",
    "for {G} following {R}, the {ADJ} {EV} was less important than {O}",
)
SLOTS = {
    "S": SUBJECTS, "VP": VERBS_PAST, "VB": VERBS_BASE, "VPR": VERBS_PRESENT, "O": OBJECTS,
    "T": TIME_PHRASES, "ADJ": ADJECTIVES, "EV": EVENT_NOUNS, "ADV": ADVERBS, "ABS": ABSTRACT_NOUNS,
    "G": GROUPS, "CONJ": CONNECTORS, "DOC": DOC_NOUNS, "R": REGIONS,
}
_SLOT = re.compile(r"\{([A-Z]+)\}")
#: Terms written differently in the two scripts: (simplified, traditional, English).
CHINESE_TERMS = (
    ("解放军", "解放軍", "People's Liberation Army"),
    ("国防部", "國防部", "Ministry of National Defense"),
    ("海军", "海軍", "navy"),
    ("东部战区", "東部戰區", "Eastern Theater Command"),
    ("台湾", "臺灣", "Taiwan"),
    ("两岸关系", "兩岸關係", "cross-strait relations"),
    ("军事演习", "軍事演習", "military exercise"),
    ("联合利剑", "聯合利劍", "Joint Sword"),
    ("海警局", "海巡署", "coast guard"),
    ("国务院", "國務院", "State Council"),
)
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
TABLE_TITLES = (
    "Reported {events} by month, {year}", "{theme} activity in {place}, {year}",
    "Announced {events} and their scale, {year}", "Comparison of {events} across services, {year}",
)
TABLE_HEADERS = (
    ("Month", "Aircraft sorties", "Vessels", "Named exercise"),
    ("Quarter", "Announcements", "Participants", "Duration (days)"),
    ("Service", "Units involved", "Reported incidents", "Change on last year"),
)

# ---------------------------------------------------------------- the model


@dataclass
class Author:
    id: str
    name: str
    affiliation: str
    bio: str


@dataclass
class Issue:
    publication: str
    folder: str
    volume: int
    number: int
    date: dt.date
    title: str = ""
    articles: list[int] = field(default_factory=list)  #: indexes into Corpus.articles


@dataclass
class Article:
    index: int
    publication: str
    issue: Issue
    file_stem: str  #: "03-some-title-0042"
    slug: str
    title: str
    authors: list[str]
    topics: list[str]
    summary: list[str]
    notes: dict[str, str]  #: front-matter notes, label → Markdown
    body_notes: dict[str, str]  #: notes defined in the body, label → Markdown
    citation: tuple[str, str, str, dt.date] | None  #: key, outlet, url, date of one `citations:` entry
    body: str  #: Markdown, body note definitions not included
    words: int = 0
    inline_citations: int = 0


@dataclass
class Corpus:
    n: int
    seed: int
    authors: list[Author]
    topics: list[str]
    issues: list[Issue]
    articles: list[Article]


def clear_of_the_week_after(month: str, day: int, issue_date: dt.date) -> tuple[str, int]:
    """A month and day (and the day after) that do not fall in the week after ``issue_date``:
    an editor writes the year there, or Brief warns. Draws nothing, so the corpus is otherwise unchanged."""
    number = MONTH_NAMES.index(month) + 1
    for year in (issue_date.year, issue_date.year + 1):
        for d in (day, day + 1):
            if 1 <= (dt.date(year, number, d) - issue_date).days <= 7:
                earlier = dt.date(year, number, day) - dt.timedelta(days=14)
                return MONTH_NAMES[earlier.month - 1], min(earlier.day, 27)
    return month, day


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def plan_corpus(n: int, seed: int = 1) -> Corpus:
    """Everything both writers need: the same ``(n, seed)`` always gives the same corpus."""
    if n < 1:
        raise ValueError("n must be at least 1")
    rng = random.Random(seed)
    authors = _make_authors(rng, min(MAX_AUTHORS, max(8, n // 15)))
    topics = _make_topics(rng, TOPIC_COUNT)
    issues = _make_issues(rng, n)
    writer = _ArticleWriter(rng, authors, topics)
    articles: list[Article] = []
    for issue in issues:
        for position in range(len(issue.articles)):
            index = len(articles)
            issue.articles[position] = index
            articles.append(writer.article(index, issue, position))
    return Corpus(n, seed, authors, topics, issues, articles)


def _make_authors(rng: random.Random, count: int) -> list[Author]:
    authors: list[Author] = []
    seen: set[str] = set()
    while len(authors) < count:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        author_id = slugify(name)
        if author_id in seen:
            suffix = 2
            while f"{author_id}-{suffix}" in seen:
                suffix += 1
            author_id = f"{author_id}-{suffix}"
        seen.add(author_id)
        first = name.split()[0]
        bio = (
            f"{name} studies {rng.choice(TOPIC_THEMES).lower()} and {rng.choice(TOPIC_THEMES).lower()} "
            f"with a focus on {rng.choice(REGIONS)}. {first} previously worked on "
            f"{rng.choice(OBJECTS)} and writes regularly on {rng.choice(TOPIC_PLACES)}."
        )
        authors.append(Author(author_id, name, rng.choice(AFFILIATIONS), bio))
    return authors


def _make_topics(rng: random.Random, count: int) -> list[str]:
    names = [f"{place} {theme}" for place in TOPIC_PLACES for theme in TOPIC_THEMES]
    names += list(TOPIC_THEMES) + list(TOPIC_PLACES)
    return rng.sample(names, min(count, len(names)))


def _make_issues(rng: random.Random, n: int) -> list[Issue]:
    """Split ``n`` articles over the publications and into issues, newest issue last in time order."""
    shares = [share for *_rest, share, _issn in PUBLICATIONS]
    counts = [int(n * share) for share in shares]
    for i in range(n - sum(counts)):  # largest remainders first, deterministically
        counts[sorted(range(len(shares)), key=lambda j: (counts[j] - n * shares[j], j))[i % len(shares)]] += 1
    issues: list[Issue] = []
    for (folder, _title, cadence, _share, _issn), count in zip(PUBLICATIONS, counts):
        if count == 0:
            continue
        sizes: list[int] = []
        remaining = count
        while remaining > 0:
            size = min(remaining, rng.choice(ARTICLES_PER_ISSUE))
            sizes.append(size)
            remaining -= size
        newest = END_DATE - dt.timedelta(days=rng.randrange(0, cadence))
        dates = [newest - dt.timedelta(days=cadence * k) for k in range(len(sizes))][::-1]
        first_year = dates[0].year
        number_in_year: dict[int, int] = {}
        for size, date in zip(sizes, dates):
            number = number_in_year[date.year] = number_in_year.get(date.year, 0) + 1
            volume = date.year - first_year + 1
            title = "Special Issue: " + rng.choice(TOPIC_THEMES) if rng.random() < 0.04 else ""
            issue = Issue(folder, f"{date:%Y-%m}-vol{volume}-no{number}", volume, number, date, title, [-1] * size)
            issues.append(issue)
    return issues


class _ArticleWriter:
    """Writes the articles' text; all randomness comes from the corpus' one generator."""

    def __init__(self, rng: random.Random, authors: list[Author], topics: list[str]):
        self.rng = rng
        self.author_ids = [a.id for a in authors]
        self.topics = topics
        # A few authors and topics are far more frequent than the rest, as in a real archive.
        self.author_weights = [1.0 / (i + 1) ** 0.7 for i in range(len(authors))]
        self.topic_weights = [1.0 / (i + 1) ** 0.9 for i in range(len(topics))]
        self.url_counter = 0
        self.cited = 0  #: citation items written for the current article (body and notes)

    # -- small pieces

    def pick_weighted(self, items: list[str], weights: list[float], k: int) -> list[str]:
        chosen: list[str] = []
        while len(chosen) < min(k, len(items)):
            item = self.rng.choices(items, weights)[0]
            if item not in chosen:
                chosen.append(item)
        return chosen

    def url(self, outlet: str, year: int) -> str:
        self.url_counter += 1
        words = "-".join(self.rng.choice(OBJECTS).split()[:4])
        return f"https://example.org/{slugify(outlet)}/{year}/{slugify(words)}-{self.url_counter}"

    def day(self) -> int:
        return self.rng.randint(1, 27)  # no February 29/30 trouble, and day + 1 exists

    def citation(self, issue_date: dt.date) -> str:
        """One parenthetical citation in a house form (sometimes several, ``;``-separated)."""
        rng = self.rng
        form = rng.random()
        items = [self.citation_item(issue_date) for _ in range(rng.choice((2, 2, 3)) if form < 0.12 else 1)]
        self.cited += len(items)
        return "(" + "; ".join(items) + ")"

    def citation_item(self, issue_date: dt.date) -> str:
        rng = self.rng
        outlet = rng.choice(OUTLETS)
        month = rng.choice(MONTH_NAMES)
        day = self.day()
        form = rng.random()
        if form < 0.45 or form >= 0.65:  # a date without a year: not in the week after the issue (Brief warns)
            month, day = clear_of_the_week_after(month, day, issue_date)
        if form < 0.45:  # ([Outlet](url), December 9)
            return f"[{outlet}]({self.url(outlet, issue_date.year)}), {month} {day}"
        if form < 0.65:  # ([Outlet](url), March 29, 2018)
            year = issue_date.year - rng.randint(1, 6)
            return f"[{outlet}]({self.url(outlet, year)}), {month} {day}, {year}"
        if form < 0.85:  # (Outlet, December [10](url), [11](url))
            days = [day, day + 1] if rng.random() < 0.7 else [day]
            links = ", ".join(f"[{d}]({self.url(outlet, issue_date.year)})" for d in days)
            return f"{outlet}, {month} {links}"
        return f"[{outlet}]({self.url(outlet, issue_date.year)}), accessed {month} {day}"  # accessed

    def sentence(self) -> str:
        """One sentence: a form from :data:`SENTENCE_FORMS` with each slot drawn in turn."""
        form = self.rng.choice(SENTENCE_FORMS)
        s = _SLOT.sub(lambda slot: self.rng.choice(SLOTS[slot[1]]), form)
        return s[0].upper() + s[1:]

    def chinese_sentence(self) -> str:
        simplified, traditional, english = self.rng.choice(CHINESE_TERMS)
        form = self.rng.randrange(3)
        if form == 0:
            return (f"Mainland sources write the {english} as {simplified}, while Taiwanese outlets "
                    f"write {traditional}, and the two spellings often appear in the same week")
        if form == 1:
            return (f"The term {simplified} in a Beijing statement and {traditional} in a Taipei "
                    f"release both translate as the {english}, yet the framing differs")
        return f"State media repeated the phrase {simplified}; the Taiwanese response used {traditional} throughout"

    def heading(self) -> str:
        rng = self.rng
        template = rng.choice(HEADINGS)
        theme, theme2 = rng.sample(TOPIC_THEMES, 2)
        return template.format(noun=rng.choice(EVENT_NOUNS).title(), place=rng.choice(TOPIC_PLACES),
                               theme=theme, theme2=theme2)

    def table(self, issue_date: dt.date) -> str:
        rng = self.rng
        header = rng.choice(TABLE_HEADERS)
        theme = rng.choice(TOPIC_THEMES)
        title = rng.choice(TABLE_TITLES).format(events=rng.choice(EVENT_NOUNS) + "s", theme=theme,
                                                place=rng.choice(TOPIC_PLACES), year=issue_date.year - 1)
        rows = []
        labels = {
            "Month": MONTH_NAMES, "Quarter": ("Q1", "Q2", "Q3", "Q4"),
            "Service": ("Army", "Navy", "Air Force", "Rocket Force", "Coast Guard", "Militia"),
        }[header[0]]
        count = min(len(labels), rng.randint(4, 6))
        start = rng.randrange(len(labels) - count + 1)
        for label in labels[start:start + count]:
            last = rng.choice(("Yes", "No")) if header[3] == "Named exercise" else (
                f"{rng.randint(-40, 60):+d}%" if header[3].startswith("Change") else str(rng.randint(1, 30)))
            rows.append(f"| {label} | {rng.randint(10, 400)} | {rng.randint(2, 90)} | {last} |")
        outlet = rng.choice(OUTLETS)
        source = (f"(Source: [{outlet}]({self.url(outlet, issue_date.year)}) reports, compiled by the authors.)"
                  if rng.random() < 0.5 else f"(Source: {outlet} data compiled by the authors.)")
        return "\n".join([
            f"Table 1: {title}", "",
            "| " + " | ".join(header) + " |", "|" + "---|" * len(header), *rows, "",
            source,
        ])

    def note_text(self, issue_date: dt.date) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            return f"{self.sentence()} {self.citation(issue_date)}."
        return f"{self.sentence()}. {self.sentence()}."

    # -- the article

    def article(self, index: int, issue: Issue, position: int) -> Article:
        rng = self.rng
        self.cited = 0
        title_words = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS_PAST)} {rng.choice(OBJECTS)}"
        title = title_words[0].upper() + title_words[1:]
        if rng.random() < 0.3:
            title += f" in {rng.choice(REGIONS)}"
        slug = f"{slugify(title_words)[:60].rstrip('-')}-{index:05d}"
        authors = self.pick_weighted(self.author_ids, self.author_weights, rng.choices((1, 2, 3), (60, 30, 10))[0])
        topics = self.pick_weighted(self.topics, self.topic_weights, rng.choice((1, 2, 2, 3)))
        summary = [self.sentence() + "." for _ in range(rng.choice((2, 3)))]

        target = rng.randint(*WORDS_PER_ARTICLE)
        # Plan the sentences: which carry a citation, a note reference, a Chinese term.
        sentence_count = target // 18
        cite_at = set(rng.sample(range(sentence_count), min(sentence_count, CITATIONS_PER_ARTICLE + rng.randint(-3, 3))))
        note_at = sorted(rng.sample(range(sentence_count), NOTES_PER_ARTICLE))
        chinese_at = set(rng.sample(range(sentence_count), rng.randint(2, 4)))
        table_after = sentence_count // 2
        citation = None
        cite_key_at = -1
        if rng.random() < 0.5:
            outlet = rng.choice(OUTLETS)
            key = f"{slugify(outlet)}-{index}"
            date = issue.date - dt.timedelta(days=rng.randint(1, 300))
            citation = (key, outlet, self.url(outlet, date.year), date)
            cite_key_at = rng.choice([i for i in range(sentence_count) if i not in cite_at])

        labels = [str(k + 1) for k in range(NOTES_PER_ARTICLE)]
        in_front = set(rng.sample(labels, rng.randint(1, NOTES_PER_ARTICLE - 1)))
        notes = {label: self.note_text(issue.date) for label in labels if label in in_front}
        body_notes = {label: self.note_text(issue.date) for label in labels if label not in in_front}

        blocks: list[str] = []
        paragraph: list[str] = []
        paragraph_goal = rng.randint(4, 7)
        section_goal = rng.randint(3, 5)
        paragraphs_in_section = 0
        for i in range(sentence_count):
            text = self.chinese_sentence() if i in chinese_at else self.sentence()
            if i in cite_at:
                text += " " + self.citation(issue.date)
            elif i == cite_key_at and citation:
                text += f" [@{citation[0]}]"
            text += "."
            if i in note_at:
                text += f"[^{labels[note_at.index(i)]}]"
            paragraph.append(text)
            if len(paragraph) >= paragraph_goal or i == sentence_count - 1:
                blocks.append(" ".join(paragraph))
                paragraph = []
                paragraph_goal = rng.randint(4, 7)
                paragraphs_in_section += 1
                if i >= table_after > -1:
                    blocks.append(self.table(issue.date))
                    table_after = -1
                if paragraphs_in_section >= section_goal and i < sentence_count - 10:
                    blocks.append("## " + self.heading())
                    paragraphs_in_section = 0
                    section_goal = rng.randint(3, 5)
        body = "\n\n".join(wrap(block) if not block.startswith(("|", "Table", "##", "(Source")) else block
                           for block in blocks) + "\n"
        words = len(re.findall(r"[A-Za-z][A-Za-z'-]*", re.sub(r"\]\([^)]*\)", "]", body)))
        return Article(
            index=index, publication=issue.publication, issue=issue,
            file_stem=f"{position + 1:02d}-{slug}", slug=slug, title=title, authors=authors,
            topics=topics, summary=summary, notes=notes, body_notes=body_notes, citation=citation,
            body=body, words=words, inline_citations=self.cited + (citation is not None),
        )


_LINE_START_RISK = re.compile(r"^(?:\d|[#>|+*=-])")


def wrap(text: str, width: int = 92) -> str:
    """Wrap a paragraph like an editor would, never starting a line with a character that
    could begin a Markdown block (a digit, ``#``, ``-``...)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width and not _LINE_START_RISK.match(word):
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return "\n".join(lines)


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


# ---------------------------------------------------------------- the Brief writer


def generate(root: Path, n: int, seed: int = 1) -> Corpus:
    """Write a Brief content folder of ``n`` articles to ``root/content`` (replacing it)."""
    corpus = plan_corpus(n, seed)
    content = Path(root) / "content"
    if content.exists():
        shutil.rmtree(content)
    (content / "authors").mkdir(parents=True)
    (content / "site.yaml").write_text(
        "title: Lantern Hill Briefs\n"
        'base_url: "https://briefs.example.org/"\n'
        "language: en\n"
        "publisher: Lantern Hill Institute\n"
        f'description: "A synthetic archive of {n} research-brief articles for benchmarks."\n',
        encoding="utf-8",
    )
    for author in corpus.authors:
        (content / "authors" / f"{author.id}.md").write_text(
            f"---\nname: {q(author.name)}\naffiliation: {q(author.affiliation)}\n"
            f"links:\n  web: \"https://example.org/people/{author.id}\"\n---\n\n{author.bio}\n",
            encoding="utf-8",
        )
    used_pubs = {issue.publication for issue in corpus.issues}
    for folder, title, cadence, _share, issn in PUBLICATIONS:
        if folder not in used_pubs:
            continue
        (content / folder).mkdir()
        every = "weekly" if cadence == 7 else "fortnightly" if cadence == 14 else "monthly"
        (content / folder / "publication.yaml").write_text(
            f"title: {q(title)}\ndescription: {q(f'A {every} brief on security and politics.')}\n"
            f'issn: "{issn}"\n',
            encoding="utf-8",
        )
    for issue in corpus.issues:
        issue_folder = content / issue.publication / issue.folder
        issue_folder.mkdir()
        text = f"volume: {issue.volume}\nnumber: {issue.number}\ndate: {issue.date.isoformat()}\n"
        if issue.title:
            text += f"title: {q(issue.title)}\n"
        (issue_folder / "issue.yaml").write_text(text, encoding="utf-8")
    for article in corpus.articles:
        path = content / article.publication / article.issue.folder / f"{article.file_stem}.md"
        path.write_text(brief_article_text(article), encoding="utf-8")
    return corpus


def brief_article_text(article: Article) -> str:
    lines = ["---", f"title: {q(article.title)}", f"authors: [{', '.join(article.authors)}]", "summary:"]
    lines += [f"  - {q(point)}" for point in article.summary]
    lines.append(f"topics: [{', '.join(q(t) for t in article.topics)}]")
    if article.notes:
        lines.append("notes:")
        lines += [f"  {label}: {q(text)}" for label, text in article.notes.items()]
    if article.citation:
        key, outlet, url, date = article.citation
        lines += ["citations:", f"  {key}: {{outlet: {q(outlet)}, url: {q(url)}, date: {date.isoformat()}}}"]
    lines.append("---")
    body = article.body
    if article.body_notes:
        body += "\n" + "\n".join(f"[^{label}]: {text}" for label, text in article.body_notes.items()) + "\n"
    return "\n".join(lines) + "\n\n" + body


# ---------------------------------------------------------------- the Hugo writer

HUGO_CONFIG = """\
baseURL = "https://briefs.example.org/"
locale = "en"
title = "Lantern Hill Briefs"
# Brief writes no feeds; neither does this twin.
disableKinds = ["rss"]

[taxonomies]
author = "authors"
tag = "tags"
issue = "issues"

# Goldmark with its defaults: CommonMark plus tables, footnotes, strikethrough, linkify...
[markup.goldmark]
"""

HUGO_LAYOUTS = {
    "baseof.html": """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Title }}</footer>
</body>
</html>
""",
    "single.html": """\
{{ define "main" }}
<article>
<p class="kicker"><a href="{{ .CurrentSection.RelPermalink }}">{{ .CurrentSection.Title }}</a>
{{ with .Params.issue_label }} · {{ . }}{{ end }}</p>
<h1>{{ .Title }}</h1>
<p>By {{ range $i, $a := .GetTerms "authors" }}{{ if $i }}, {{ end }}<a href="{{ $a.RelPermalink }}">{{ $a.Title }}</a>{{ end }}
· <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "January 2, 2006" }}</time></p>
{{ with .GetTerms "tags" }}<ul class="topics">{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}
{{ with .Params.bullets }}<section role="doc-abstract"><h2>Executive Summary</h2><ul>{{ range . }}<li>{{ . | markdownify }}</li>{{ end }}</ul></section>{{ end }}
{{ .Content }}
<aside class="bios">{{ range .GetTerms "authors" }}<div>{{ .Content }}</div>{{ end }}</aside>
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
</article>
{{ end }}
""",
    "list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> · {{ .Date.Format "January 2, 2006" }}</li>{{ end }}</ul>
{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Pages.ByTitle }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> ({{ len .Pages }})</li>{{ end }}</ul>
{{ end }}
""",
    "home.html": """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
{{ range site.Sections }}<section><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<ul>{{ range first 10 .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></section>{{ end }}
{{ end }}
""",
}


#: A term page (one author, topic or issue) lists its articles like a section does; an
#: author's term page shows the bio from its _index.md as content.
HUGO_LAYOUTS["term.html"] = HUGO_LAYOUTS["list.html"]


def generate_hugo(root: Path, n: int, seed: int = 1) -> Corpus:
    """Write the same ``n`` articles as a Hugo site in ``root`` (its content/ and layouts/ replaced)."""
    corpus = plan_corpus(n, seed)
    root = Path(root)
    for name in ("content", "layouts"):
        if (root / name).exists():
            shutil.rmtree(root / name)
    root.mkdir(parents=True, exist_ok=True)
    (root / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (root / "layouts").mkdir()
    for name, text in HUGO_LAYOUTS.items():
        (root / "layouts" / name).write_text(text, encoding="utf-8")
    content = root / "content"
    content.mkdir()
    (content / "_index.md").write_text(f"---\ntitle: {q('Lantern Hill Briefs')}\n---\n", encoding="utf-8")
    titles = {folder: title for folder, title, *_rest in PUBLICATIONS}
    for folder in sorted({issue.publication for issue in corpus.issues}):
        (content / folder).mkdir()
        (content / folder / "_index.md").write_text(f"---\ntitle: {q(titles[folder])}\n---\n", encoding="utf-8")
    (content / "authors").mkdir()
    for author in corpus.authors:  # author term pages carry the bio, as Brief's author pages do
        (content / "authors" / author.id).mkdir()
        (content / "authors" / author.id / "_index.md").write_text(
            f"---\ntitle: {q(author.name)}\naffiliation: {q(author.affiliation)}\n---\n\n{author.bio}\n",
            encoding="utf-8",
        )
    for article in corpus.articles:
        (content / article.publication / f"{article.slug}.md").write_text(hugo_article_text(article), encoding="utf-8")
    return corpus


def hugo_article_text(article: Article) -> str:
    issue = article.issue
    label = f"Vol. {issue.volume}, No. {issue.number}"
    lines = [
        "---", f"title: {q(article.title)}", f"date: {issue.date.isoformat()}",
        f"authors: [{', '.join(article.authors)}]", f"tags: [{', '.join(q(t) for t in article.topics)}]",
        f"issues: [{q(f'{article.publication} {label}')}]", f"issue_label: {q(label)}", "bullets:",
    ]
    lines += [f"  - {q(point)}" for point in article.summary]
    lines.append("---")
    body = article.body
    if article.citation:  # Hugo has no structured citations: write the citation out
        key, outlet, url, date = article.citation
        body = body.replace(f"[@{key}]", f"([{outlet}]({url}), {MONTH_NAMES[date.month - 1]} {date.day}, {date.year})")
    notes = {**article.notes, **article.body_notes}
    body += "\n" + "\n".join(f"[^{label}]: {notes[label]}" for label in sorted(notes, key=int)) + "\n"
    return "\n".join(lines) + "\n\n" + body


# ---------------------------------------------------------------- command line


def describe(corpus: Corpus) -> str:
    articles = corpus.articles
    words = sum(a.words for a in articles) / len(articles)
    cites = sum(a.inline_citations for a in articles) / len(articles)
    pubs = len({i.publication for i in corpus.issues})
    years = (corpus.issues and f"{min(i.date for i in corpus.issues)}..{max(i.date for i in corpus.issues)}") or ""
    return (f"{len(articles)} articles in {pubs} publications, {len(corpus.issues)} issues ({years}), "
            f"{len(corpus.authors)} authors, {len(corpus.topics)} topics; "
            f"{words:.0f} words and {cites:.1f} inline citations per article on average")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic Brief corpus (and optionally its Hugo twin).")
    parser.add_argument("--n", type=int, default=1000, help="number of articles (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="project folder; the content goes to OUT/content")
    parser.add_argument("--hugo", action="store_true", help="also write the Hugo twin to OUT/hugo")
    args = parser.parse_args(argv)
    corpus = generate(args.out, args.n, args.seed)
    print(f"wrote {args.out / 'content'}: {describe(corpus)}")
    if args.hugo:
        generate_hugo(args.out / "hugo", args.n, args.seed)
        print(f"wrote the Hugo twin to {args.out / 'hugo'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
