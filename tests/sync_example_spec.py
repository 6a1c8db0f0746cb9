"""The synthetic example shipped in etiquette_lab/data/sync_example/, built from the fixtures.

``python tests/sync_example_spec.py`` writes it; a test checks the shipped files are exactly
what this builds. Every person, address and profile is invented (Norwegian words for
"example", "made-up", "imagined" as surnames; example.org addresses).
"""

from __future__ import annotations

import datetime as dt
import sys
import zoneinfo
from pathlib import Path

import sync_fixtures as fx

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
UTC = dt.UTC
EXPORT_FOLDER = "Basic_LinkedInDataExport_02-10-2026"
ME = "Kim Avsender <kim.avsender@example.net>"


def local(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=OSLO)


def linkedin_files() -> dict[str, bytes]:
    d = dt.date
    people = [
        {"first": "Ada", "last": "Eksempel", "slug": "ada-eksempel-0a1", "on": d(2026, 1, 6)},
        {"first": "Bjørn", "last": "Fiktiv", "slug": "bjorn-fiktiv-0b2", "on": d(2026, 1, 5)},
        {"first": "Kari", "last": "Prøve", "slug": "kari-prove-0c3", "on": d(2026, 1, 10)},
        {"first": "Kari", "last": "Prøve", "slug": "kari-prove-9z9", "on": d(2024, 2, 2)},
        {"first": "Liv", "last": "Oppdiktet", "slug": "liv-oppdiktet-0d4", "on": d(2026, 1, 14)},
        {"first": "Siri", "last": "Tenkt", "slug": "siri-tenkt-0e5", "on": d(2025, 3, 3)},
        {
            "first": "Tor",
            "last": "Tenkt",
            "slug": "tor-tenkt-0f6",
            "on": d(2026, 1, 7),
            "email": "tor.tenkt@example.org",
        },
        {"first": "Dag", "last": "Prøve", "slug": "dag-prove-1a1", "on": d(2022, 4, 12)},
        {"first": "Hans", "last": "Innbilt", "slug": "hans-innbilt-1b2", "on": d(2023, 9, 1)},
        {"first": "Ida", "last": "Tenkt", "slug": "ida-tenkt-1c3", "on": d(2024, 6, 30)},
    ]
    invitations = [
        {
            "from": "Kim Avsender",
            "to": "Ole Påfunnet",
            "at": dt.datetime(2026, 1, 6, 9, 12),
            "message": "Hi Ole, we met at the meetup: glad to connect!",
            "direction": "OUTGOING",
            "inviter": fx.url("kim-avsender-000"),
            "invitee": fx.url("ole-pafunnet-2a2"),
        },
        {
            "from": "Una Oppdiktet",
            "to": "Kim Avsender",
            "at": dt.datetime(2026, 1, 8, 18, 3),
            "direction": "INCOMING",
            "inviter": fx.url("una-oppdiktet-2b3"),
            "invitee": fx.url("kim-avsender-000"),
        },
    ]
    kim = ("Kim Avsender", "kim-avsender-000")
    messages = [
        {
            "conversation": "2-hans",
            "title": "Hans Innbilt",
            "from": kim[0],
            "from_slug": kim[1],
            "to": ["Hans Innbilt"],
            "to_slugs": ["hans-innbilt-1b2"],
            "folder": "SENT",
            "at": dt.datetime(2026, 1, 19, 8, 0, 10),
            "content": "Hi Hans, could I ask you about your move into data engineering?",
        },
        {
            "conversation": "2-hans",
            "title": "Hans Innbilt",
            "from": "Hans Innbilt",
            "from_slug": "hans-innbilt-1b2",
            "to": [kim[0]],
            "to_slugs": [kim[1]],
            "at": dt.datetime(2026, 1, 19, 15, 2, 44),
            "content": "Sure, Thursday at 10?",
        },
        {
            "conversation": "2-ida",
            "title": "Ida Tenkt",
            "from": "Ida Tenkt",
            "from_slug": "ida-tenkt-1c3",
            "to": [kim[0]],
            "to_slugs": [kim[1]],
            "at": dt.datetime(2025, 11, 2, 12, 0, 0),
            "content": "Congratulations on the new job!",
        },
        {
            "conversation": "2-ida",
            "title": "Ida Tenkt",
            "from": kim[0],
            "from_slug": kim[1],
            "to": ["Ida Tenkt"],
            "to_slugs": ["ida-tenkt-1c3"],
            "folder": "SENT",
            "at": dt.datetime(2026, 1, 19, 8, 5, 31),
            "content": "Hi Ida, would you have 20 minutes for a coffee chat?",
        },
        {
            "conversation": "2-ida",
            "title": "Ida Tenkt",
            "from": kim[0],
            "from_slug": kim[1],
            "to": ["Ida Tenkt"],
            "to_slugs": ["ida-tenkt-1c3"],
            "folder": "DRAFTS",
            "at": dt.datetime(2026, 1, 26, 9, 0, 0),
            "content": "Just a gentle",
            "draft": True,
        },
    ]
    received = [
        {"first": "Dag", "last": "Prøve", "at": dt.datetime(2026, 1, 15, 20, 30)},
        {"first": "Eva", "last": "Eksempel", "at": dt.datetime(2025, 1, 10, 11, 0)},
        {
            "first": "Finn",
            "last": "Fiktiv",
            "at": dt.datetime(2026, 1, 20, 9, 15),
            "status": "HIDDEN",
        },
    ]
    given = [{"first": "Gro", "last": "Diktet", "at": dt.datetime(2026, 1, 16, 12, 0)}]
    return {
        "Connections.csv": fx.connections(people, comma_rows=(4,)),
        "Invitations.csv": fx.invitations(invitations),
        "messages.csv": fx.messages(messages),
        "Recommendations_Received.csv": fx.recommendations(received),
        "Recommendations_Given.csv": fx.recommendations(given),
        "Profile.csv": fx.table(
            ["First Name", "Last Name", "Headline"],
            [["Kim", "Avsender", "Invented person for the example"]],
        ),
    }


SENT_MAILS = {  # recipient -> (address, local send time, message id)
    name: (
        f"{slug}@example.org",
        local(2026, 1, 19, 10, *minute_second),
        f"kaffe-{key}@example.net",
    )
    for name, slug, key, minute_second in [
        ("Jon Eksempel", "jon.eksempel", "jon", (0, 30)),
        ("Mia Fiktiv", "mia.fiktiv", "mia", (10, 5)),
        ("Nils Prøve", "nils.prove", "nils", (20, 40)),
        ("Pia Oppdiktet", "pia.oppdiktet", "pia", (30, 2)),
        ("Rolf Påfunnet", "rolf.pafunnet", "rolf", (40, 9)),
    ]
}


def mailboxes() -> dict[str, bytes]:
    sent = [
        fx.mail(
            sender=ME,
            to=f"{name} <{address}>",
            subject="Kaffe en dag?",
            at=at,
            message_id=mid,
            body=f"Hei {name.split()[0]},\n\nhar du tid til en kaffe?\n",
        )
        for name, (address, at, mid) in SENT_MAILS.items()
    ]
    jon, mia, nils, _, rolf = (SENT_MAILS[n] for n in SENT_MAILS)
    inbox = [
        fx.mail(
            sender="Jon Eksempel <jon.eksempel@example.org>",
            to=ME,
            subject="Re: Kaffe en dag?",
            at=local(2026, 1, 20, 8, 14, 0),
            message_id="re-jon@example.org",
            in_reply_to=jon[2],
            references=[jon[2]],
            body="Gjerne! Torsdag?\n",
        ),
        fx.mail(
            sender="Mia Fiktiv <mia.fiktiv@example.org>",
            to=ME,
            subject="Automatisk svar: Kaffe en dag?",
            at=local(2026, 1, 19, 10, 10, 9),
            message_id="auto-mia@example.org",
            in_reply_to=mia[2],
            references=[mia[2]],
            extra=["Auto-Submitted: auto-replied"],
            body="Jeg er på ferie til 25. januar.\n",
        ),
        fx.mail(
            sender="Newsletter <news@example.com>",
            to=ME,
            subject="January news",
            at=local(2026, 1, 21, 6, 0, 0),
            message_id="news-1@example.com",
            extra=["Precedence: bulk"],
            body="From the editor: a quiet month.\n",
        ),
        fx.delivery_report(
            to=ME,
            failed=nils[0],
            original_id=nils[2],
            at=local(2026, 1, 19, 10, 20, 52),
            message_id="dsn-nils@example.net",
        ),
        fx.mail(
            sender="Pia Oppdiktet <pia.oppdiktet@example.org>",
            to=ME,
            subject="Kaffe",
            at=local(2026, 1, 22, 13, 45, 0),
            message_id="pia-new@example.org",
            body="Hei Kim, så e-posten din. Fredag?\n",
        ),
        fx.mail(
            sender="Rolf Påfunnet <rolf.pafunnet@example.org>",
            to=ME,
            subject="=?UTF-8?Q?Frav=C3=A6rsmelding=3A_Kaffe_en_dag=3F?=",
            at=local(2026, 1, 19, 10, 40, 15),
            message_id="auto-rolf@example.org",
            in_reply_to=rolf[2],
            body="Jeg er tilbake i februar.\n",
        ),
        fx.mail(
            sender="Mia Fiktiv <mia.fiktiv@example.org>",
            to=ME,
            subject="Re: Kaffe en dag?",
            at=local(2026, 1, 26, 9, 2, 0),
            message_id="re-mia@example.org",
            in_reply_to=mia[2],
            references=[mia[2]],
            body="Hjemme igjen: ja, gjerne!\n",
        ),
    ]
    return {"Inbox": fx.mbox(inbox, thunderbird=True), "Sent": fx.mbox(sent, thunderbird=True)}


def write_log(path: Path) -> None:
    from etiquette_lab import create_log

    log = create_log(
        path, experiment="connection-note", variants=["note", "no-note"], at=local(2026, 1, 5, 9, 0)
    )
    connection = [
        ("Ada Eksempel", "note", local(2026, 1, 5, 10, 0)),
        ("Bjørn Fiktiv", "no-note", local(2026, 1, 5, 10, 5)),
        ("Kari Prøve", "note", local(2026, 1, 5, 11, 0)),
        ("Liv Oppdiktet", "no-note", local(2026, 1, 6, 9, 0)),
        ("Ole Påfunnet", "note", local(2026, 1, 6, 9, 10)),
        ("Siri Tenkt", "no-note", local(2026, 1, 6, 9, 20)),
        ("Tor Tenkt", "note", local(2026, 1, 6, 9, 30)),
    ]
    for name, variant, at in connection:
        log.send(name, variant, kind="connection", at=at, experiment="connection-note")
    log.respond("r0007", at=local(2026, 1, 7, 18, 0), note="logged by hand")
    log.declare("recommendation-wording", ["default", "personalised"], at=local(2026, 1, 12, 9, 0))
    for name, variant, at in [
        ("Dag Prøve", "personalised", local(2026, 1, 12, 10, 0)),
        ("Eva Eksempel", "default", local(2026, 1, 12, 10, 10)),
        ("Finn Fiktiv", "personalised", local(2026, 1, 12, 10, 20)),
        ("Gro Diktet", "default", local(2026, 1, 12, 10, 30)),
    ]:
        log.send(name, variant, kind="recommendation", at=at, experiment="recommendation-wording")
    log.declare("coffee-chat", ["short", "long"], at=local(2026, 1, 19, 8, 0))
    for name, variant, channel, at in [
        ("Hans Innbilt", "short", "linkedin", local(2026, 1, 19, 9, 0)),
        ("Ida Tenkt", "long", "linkedin", local(2026, 1, 19, 9, 5)),
        *[
            (n, ("short", "long")[i % 2], "email", SENT_MAILS[n][1].replace(second=0))
            for i, n in enumerate(SENT_MAILS)
        ],
    ]:
        log.send(
            name,
            variant,
            kind="informational interview",
            channel=channel,
            at=at,
            experiment="coffee-chat",
        )


README = """# A synthetic LinkedIn export, mailbox and log (everything invented)

Every person, company, address and profile URL in this folder is invented for the kit's
examples and tests (surnames are Norwegian words for "example", "made-up", "imagined"; the
addresses use the reserved example.org/.net domains). Built by `tests/sync_example_spec.py`.

- `Basic_LinkedInDataExport_02-10-2026/`: an unpacked "Get a copy of your data" archive.
- `mail/Inbox`, `mail/Sent`: Thunderbird-style mbox folder files (no extension).
- `requests_log.csv`: a log of the connection requests, recommendation requests and coffee-chat
  asks that the export and the mailbox answer (or do not).
"""


def build(root: Path) -> None:
    fx.write_folder(root / EXPORT_FOLDER, linkedin_files())
    fx.write_folder(root / "mail", mailboxes())
    (root / "README.md").write_text(README, encoding="utf-8")
    log = root / "requests_log.csv"
    log.unlink(missing_ok=True)
    write_log(log)


if __name__ == "__main__":
    import os
    import time

    os.environ["TZ"] = "Europe/Oslo"
    time.tzset()
    shipped = Path(__file__).resolve().parent.parent / "etiquette_lab" / "data" / "sync_example"
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else shipped)
