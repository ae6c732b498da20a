"""Parse .ics files with three independent PyPI parsers and expand recurrences.
  icalendar (lenient, round-trip), vobject (validate on serialize), ical (strict, pydantic models)
Usage: python check_ical.py FILE...   (exit 1 if the strict parser or vobject rejects a file)"""
import sys, io
from datetime import date
import icalendar, vobject
try:  # coordcell: recurring-ical-events pins python-dateutil<3, which the venv cannot take
    import recurring_ical_events
except ImportError:
    recurring_ical_events = None
from ical.calendar_stream import IcsCalendarStream
bad = 0
for p in sys.argv[1:]:
    data = open(p, "rb").read()
    res = {}
    try:
        cal = icalendar.Calendar.from_ical(data); res["icalendar"] = "ok"
        if recurring_ical_events is not None:
            occ = recurring_ical_events.of(cal).between(date(1990, 1, 1), date(2030, 1, 1))
            res["occurrences"] = len(list(occ))
    except Exception as e:
        res["icalendar"] = f"ERR {type(e).__name__}: {e}"[:120]
    try:
        v = vobject.readOne(data.decode()); v.serialize(validate=True); res["vobject"] = "ok"
    except Exception as e:
        res["vobject"] = f"ERR {type(e).__name__}: {e}"[:120]
    try:
        IcsCalendarStream.calendar_from_ics(data.decode()); res["ical-strict"] = "ok"
    except Exception as e:
        res["ical-strict"] = f"ERR {type(e).__name__}: {str(e).splitlines()[0]}"[:160]
    # RFC 5545 rules the parsers above do not enforce
    rules = []
    if b"\n" in data.replace(b"\r\n", b""): rules.append("lines must end in CRLF (3.1)")
    if any(len(l) > 75 for l in data.split(b"\r\n")): rules.append("content lines longer than 75 octets must be folded (3.1)")
    try:
        c = icalendar.Calendar.from_ical(data)
        for k in ("PRODID", "VERSION"):
            if k not in c: rules.append(f"VCALENDAR lacks {k} (3.6)")
        for ev in c.walk("VEVENT"):
            for k in ("UID", "DTSTAMP"):
                if k not in ev: rules.append(f"VEVENT lacks {k} (3.6.1)")
            if "METHOD" not in c and "DTSTART" not in ev: rules.append("VEVENT lacks DTSTART and calendar has no METHOD (3.6.1)")
            if "DTEND" in ev and "DURATION" in ev: rules.append("VEVENT has both DTEND and DURATION (3.6.1)")
            if "DTEND" in ev and "DTSTART" in ev and ev.decoded("DTEND") <= ev.decoded("DTSTART"):
                rules.append("DTEND must be later than DTSTART (3.8.2.2)")
    except Exception:
        pass
    if rules: res["rfc5545-rules"] = rules
    failed = bool(rules) or any(str(res.get(k, "")).startswith("ERR") for k in ("vobject", "ical-strict", "icalendar"))
    bad += failed
    print(f"{p}: {'INVALID' if failed else 'OK'}  {res}")
sys.exit(1 if bad else 0)
