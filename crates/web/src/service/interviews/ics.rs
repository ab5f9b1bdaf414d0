//! The calendar entry (RFC 5545 iCalendar) sent with an interview's booking, change and
//! cancellation: one event in UTC, its reminder as an alarm, the same UID throughout so a
//! calendar moves or cancels the entry it already holds.

use chrono::{DateTime, Duration, Utc};

/// What the entry says.
pub struct Entry<'a> {
    /// Stable across the booking's changes: the order's id.
    pub uid: &'a str,
    /// Grows with each change, so calendars take the newest.
    pub sequence: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub summary: &'a str,
    pub description: &'a str,
    /// The page to open at the time.
    pub url: &'a str,
    pub cancelled: bool,
    /// When the alarm rings before the start.
    pub alarm_before: Duration,
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value escaped (§3.3.11).
fn text(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace(['\n', '\r'], "\\n")
}

/// A content line folded at 75 octets, never inside a character (§3.1), with its CRLF.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for ch in line.chars() {
        let len = ch.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += len;
    }
    out.push_str("\r\n");
    out
}

/// The whole `VCALENDAR`, stamped `now`.
pub fn calendar(entry: &Entry<'_>, now: DateTime<Utc>) -> String {
    let minutes = entry.alarm_before.num_minutes().max(0);
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Lingshi//Consular video interview//EN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}@lingshi", text(entry.uid)),
        format!("SEQUENCE:{}", entry.sequence),
        format!("DTSTAMP:{}", stamp(now)),
        format!("DTSTART:{}", stamp(entry.starts_at)),
        format!("DTEND:{}", stamp(entry.ends_at)),
        format!("SUMMARY:{}", text(entry.summary)),
        format!("DESCRIPTION:{}", text(entry.description)),
        format!("URL:{}", entry.url),
        format!("STATUS:{}", if entry.cancelled { "CANCELLED" } else { "CONFIRMED" }),
    ];
    if !entry.cancelled {
        lines.extend([
            "BEGIN:VALARM".to_owned(),
            "ACTION:DISPLAY".to_owned(),
            format!("DESCRIPTION:{}", text(entry.summary)),
            format!("TRIGGER:-PT{minutes}M"),
            "END:VALARM".to_owned(),
        ]);
    }
    lines.extend(["END:VEVENT".to_owned(), "END:VCALENDAR".to_owned()]);
    lines.iter().map(|line| fold(line)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn entry(cancelled: bool) -> Entry<'static> {
        let starts_at = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).single().expect("time");
        Entry {
            uid: "order-1",
            sequence: 2,
            starts_at,
            ends_at: starts_at + Duration::minutes(30),
            summary: "视频面审 / Video interview, BE261207AAAAAA",
            description: "Open the page at the time; the officer calls you.\nBring your passport; thanks",
            url: "http://127.0.0.1:8080/orders/order-1/interview",
            cancelled,
            alarm_before: Duration::hours(1),
        }
    }

    #[test]
    fn an_entry_is_utc_escaped_folded_and_carries_its_alarm() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).single().expect("time");
        let ics = calendar(&entry(false), now);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.contains("\r\nDTSTART:20261207T090000Z\r\n"));
        assert!(ics.contains("\r\nDTEND:20261207T093000Z\r\n"));
        assert!(ics.contains("\r\nUID:order-1@lingshi\r\n"));
        assert!(ics.contains("\r\nTRIGGER:-PT60M\r\n"));
        assert!(ics.contains("STATUS:CONFIRMED"));
        assert!(ics.contains("BEGIN:VALARM"));
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains("Bring your passport\\; thanks"), "{unfolded}");
        assert!(unfolded.contains("you.\\nBring"), "newlines escaped");
        assert!(unfolded.contains("Video interview\\, BE261207AAAAAA"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "folded: {line}");
        }
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn a_cancellation_keeps_the_uid_and_drops_the_alarm() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).single().expect("time");
        let ics = calendar(&entry(true), now);
        assert!(ics.contains("STATUS:CANCELLED"));
        assert!(ics.contains("UID:order-1@lingshi"));
        assert!(!ics.contains("VALARM"));
    }
}
