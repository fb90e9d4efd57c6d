"""The grid company's outage schedule (CSV): good rows kept, bad rows reported by line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from core.outages import Outage, OutageKind
from energobot.exchange.errors import RowError
from energobot.exchange.outage_file import read_outages

YEKATERINBURG = ZoneInfo("Asia/Yekaterinburg")  # Perm's zone, UTC+5
HEADER = "settlement,street,houses,start,end,kind,reason\n"

GOOD = (
    HEADER + 'Пермь,ул. Ленина,"1-15,17,2-20 чётные",2026-03-02T09:00,2026-03-02T17:00,planned,'
    "замена опор ВЛ-0.4 кВ\n"
    + "Пермь,Комсомольский проспект,,2026-03-01 22:15,2026-03-02 02:00,emergency,\n"
    + 'с. Лобаново,ул. Центральная,"5а, 7/1, 12 к2",2026-03-03T10:00:00,'
    '2026-03-03T12:30:00,planned,"ремонт ТП-12, отключение"\n'
)


def at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=YEKATERINBURG)


def test_a_good_file() -> None:
    outages, errors = read_outages(GOOD, YEKATERINBURG)
    assert errors == []
    assert outages == [
        Outage(
            "Пермь",
            "ул. Ленина",
            "1-15,17,2-20 чётные",
            at(9),
            at(17),
            OutageKind.PLANNED,
            "замена опор ВЛ-0.4 кВ",
        ),
        Outage(
            "Пермь",
            "Комсомольский проспект",
            "",
            at(22, 15, day=1),
            at(2),
            OutageKind.EMERGENCY,
            "",
        ),
        Outage(
            "с. Лобаново",
            "ул. Центральная",
            "5а, 7/1, 12 к2",
            at(10, day=3),
            at(12, 30, day=3),
            OutageKind.PLANNED,
            "ремонт ТП-12, отключение",
        ),
    ]
    lenina, prospect, lobanovo = outages
    assert lenina.covers("Пермский край, г. Пермь, ул. Ленина, д. 18, кв. 4")
    assert not lenina.covers("Пермский край, г. Пермь, ул. Ленина, д. 19, кв. 4")
    assert prospect.covers("г. Пермь, Комсомольский пр-т, д. 32, кв. 5")  # the whole street
    assert lobanovo.covers("Пермский край, Пермский р-н, с. Лобаново, ул. Центральная, д. 5А")


def test_times_without_an_offset_are_local_to_the_zone_given() -> None:
    outage = read_outages(GOOD, YEKATERINBURG)[0][0]
    assert outage.starts_at.utcoffset() == timedelta(hours=5)
    assert outage.starts_at.astimezone(UTC) == datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    assert outage.ends_at.astimezone(UTC) == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

    in_utc = read_outages(GOOD, UTC)[0][0]  # the same file read for another zone
    assert in_utc.starts_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert in_utc.starts_at - outage.starts_at == timedelta(hours=5)


def test_an_offset_in_the_file_is_respected() -> None:
    text = (
        HEADER
        + "Пермь,ул. Ленина,,2026-03-02T09:00+03:00,2026-03-02T10:00Z,emergency,\n"
        + "Пермь,ул. Ленина,,2026-03-02T09:00+05:00,2026-03-02T11:00,planned,\n"
    )
    (moscow, mixed), errors = read_outages(text, YEKATERINBURG)
    assert errors == []
    assert moscow.starts_at.utcoffset() == timedelta(hours=3)
    assert moscow.starts_at == datetime(2026, 3, 2, 6, 0, tzinfo=UTC) == at(11)
    assert moscow.ends_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert mixed.starts_at == datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=5)))
    assert mixed.ends_at == at(11)


def test_with_a_byte_order_mark() -> None:
    outages, errors = read_outages("\ufeff" + GOOD, YEKATERINBURG)
    assert errors == []
    assert outages == read_outages(GOOD, YEKATERINBURG)[0]


def test_windows_line_ends_and_columns_in_another_order() -> None:
    text = (
        "KIND, Start ,end,reason,houses,street,settlement\r\n"
        "planned,2026-03-02T09:00,2026-03-02T17:00,,1-9 нечетные,ул. Ленина,Пермь\r\n"
    )
    (outage,), errors = read_outages(text, YEKATERINBURG)
    assert errors == []
    assert (outage.settlement, outage.street, outage.houses) == (
        "Пермь",
        "ул. Ленина",
        "1-9 нечетные",
    )
    assert (outage.starts_at, outage.kind) == (at(9), OutageKind.PLANNED)


def test_bad_rows_are_reported_by_line_and_skipped() -> None:
    text = (
        HEADER  # line 1
        + "Пермь,ул. Ленина,,2026-03-02T09:00,2026-03-02T17:00,sudden,\n"  # 2: bad kind
        + "Пермь,ул. Ленина,1-5,2026-03-02T09:00,2026-03-02T17:00,planned,\n"  # 3: good
        + "Пермь,ул. Ленина,,02.03.2026 09:00,2026-03-02T17:00,planned,\n"  # 4: bad date
        + "Пермь,ул. Ленина,,2026-03-02T17:00,2026-03-02T09:00,planned,\n"  # 5: end before start
        + "Пермь,ул. Ленина,,2026-03-02T09:00,2026-03-02T09:00,planned,\n"  # 6: no duration
        + "\n"  # 7: blank, skipped
        + "Пермь,ул. Ленина,15-1,2026-03-02T09:00,2026-03-02T17:00,planned,\n"  # 8: bad houses
        + "Пермь,ул. Ленина,,2026-02-30T09:00,2026-03-02,planned,\n"  # 9: no such day, no time
        + ",ул. Ленина,,2026-03-02T09:00,2026-03-02T17:00,,\n"  # 10: two required fields blank
        + "Пермь,ул. Ленина,,2026-03-02T09:00\n"  # 11: too few fields
        + "г.,ул. Ленина,,2026-03-02T09:00,2026-03-02T17:00,emergency,\n"  # 12: no settlement
        + "Пермь,ул. Мира,,2026-03-02T09:00,2026-03-02T17:00,EMERGENCY,\n"  # 13: good
    )
    outages, errors = read_outages(text, YEKATERINBURG)
    assert [(outage.street, outage.houses, outage.kind) for outage in outages] == [
        ("ул. Ленина", "1-5", OutageKind.PLANNED),
        ("ул. Мира", "", OutageKind.EMERGENCY),
    ]
    assert [(error.row, error.field) for error in errors] == [
        (2, "kind"),
        (4, "start"),
        (5, "end"),
        (6, "end"),
        (8, "houses"),
        (9, "start"),
        (9, "end"),
        (10, "settlement"),
        (10, "kind"),
        (11, None),
        (12, None),
    ]
    messages = [str(error) for error in errors]
    assert messages[0] == "row 2: kind: not one of planned, emergency: 'sudden'"
    assert messages[1] == (
        "row 4: start: not a date and time (YYYY-MM-DDTHH:MM, optionally with an offset): "
        "'02.03.2026 09:00'"
    )
    assert messages[2] == "row 5: end: must be after start (2026-03-02T17:00:00+05:00)"
    assert messages[4] == "row 8: houses: '15-1': the range runs backwards (15 > 1)"
    assert messages[7] == "row 10: settlement: required"
    assert messages[9] == "row 11: has 4 fields, the header has 7"
    assert messages[10] == "row 12: no settlement in 'г.'"


def test_a_malformed_houses_field_names_its_part() -> None:
    text = (
        HEADER + 'Пермь,ул. Ленина,"1-15, 17б-19, 21",2026-03-02T09:00,2026-03-02T17:00,planned,\n'
    )
    outages, errors = read_outages(text, YEKATERINBURG)
    assert outages == []
    assert errors == [
        RowError(2, "houses", "'17б-19': a range goes between two plain numbers, like 1-15")
    ]


def test_a_missing_column_stops_the_file() -> None:
    text = (
        "settlement,street,start,end,kind,reason\n"
        "Пермь,ул. Ленина,2026-03-02T09:00,2026-03-02T17:00,planned,\n"
    )
    assert read_outages(text, YEKATERINBURG) == (
        [],
        [RowError(1, "header", "missing column(s): houses")],
    )


def test_an_unknown_column_stops_the_file() -> None:
    text = (
        HEADER.rstrip("\n")
        + ",comment\n"
        + "Пермь,ул. Ленина,,2026-03-02T09:00,2026-03-02T17:00,planned,,x\n"
    )
    outages, errors = read_outages(text, YEKATERINBURG)
    assert outages == []
    assert errors == [RowError(1, "header", "unknown column(s): 'comment'")]


def test_an_empty_file_and_a_header_alone() -> None:
    assert read_outages("", YEKATERINBURG) == (
        [],
        [RowError(None, None, "the file is empty: a header row is required")],
    )
    assert read_outages("\ufeff" + HEADER, YEKATERINBURG) == ([], [])


def test_a_local_time_the_clocks_skip_is_refused() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # Russia keeps no summer time; other zones do
    text = HEADER + "Пермь,ул. Ленина,,2026-03-29T02:30,2026-03-29T05:00,planned,\n"
    outages, errors = read_outages(text, berlin)
    assert outages == []
    assert errors == [
        RowError(
            2,
            "start",
            "'2026-03-29T02:30' does not exist in Europe/Berlin (the clocks moved forward)",
        )
    ]
    (outage,), errors = read_outages(text, YEKATERINBURG)  # no clock change there
    assert errors == []
    assert outage.starts_at == datetime(2026, 3, 29, 2, 30, tzinfo=YEKATERINBURG)
