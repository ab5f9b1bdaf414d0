//! The European Central Bank's euro foreign exchange reference rates, in their published
//! XML (`eurofxref-daily.xml`): one `Cube` with a `time`, holding one `Cube` per currency
//! with its `rate` (units of the currency for one euro). Rates are kept as integers in
//! millionths, never as floats.

use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One day's rates: currency → units per euro, in millionths (`7.7123` → `7_712_300`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyRates {
    pub date: NaiveDate,
    pub rates: BTreeMap<String, i64>,
}

/// Why a feed could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an ECB reference-rate feed: {0}")]
pub struct FeedError(&'static str);

/// Largest feed read (the daily file is about 2 KB; the 90-day one about 100 KB).
pub const MAX_FEED_BYTES: usize = 1 << 20;

/// A decimal rate (`7.7123`) in millionths.
fn micros(text: &str) -> Option<i64> {
    let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    if whole.is_empty() || fraction.len() > 6 || !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value =
        whole.parse::<i64>().ok()?.checked_mul(1_000_000)?.checked_add(format!("{fraction:0<6}").parse().ok()?)?;
    (value > 0).then_some(value)
}

/// Reads the newest day of a feed (the daily file has one; the 90-day file starts with it).
pub fn parse(xml: &str) -> Result<DailyRates, FeedError> {
    if xml.len() > MAX_FEED_BYTES {
        return Err(FeedError("too large"));
    }
    let document = roxmltree::Document::parse(xml).map_err(|_| FeedError("not XML"))?;
    let day = document
        .descendants()
        .find(|node| node.has_tag_name("Cube") && node.attribute("time").is_some())
        .ok_or(FeedError("no dated Cube"))?;
    let date = day
        .attribute("time")
        .and_then(|t| t.parse::<NaiveDate>().ok())
        .ok_or(FeedError("the date is not YYYY-MM-DD"))?;
    let mut rates = BTreeMap::new();
    for cube in day.children().filter(|n| n.has_tag_name("Cube")) {
        let (Some(currency), Some(rate)) = (cube.attribute("currency"), cube.attribute("rate")) else { continue };
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(FeedError("a currency is not an ISO 4217 code"));
        }
        rates.insert(currency.to_owned(), micros(rate).ok_or(FeedError("a rate is not a positive decimal"))?);
    }
    if rates.is_empty() {
        return Err(FeedError("no rates"));
    }
    Ok(DailyRates { date, rates })
}

/// Reads a feed from `source`: an `http(s)://` URL, or a file (`file://` or a path).
pub async fn fetch(source: &str) -> Result<String, String> {
    if source.starts_with("http://") || source.starts_with("https://") {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .map_err(|e| e.to_string())?;
        let response = client.get(source).send().await.map_err(|_| "the feed did not answer".to_owned())?;
        if !response.status().is_success() {
            return Err(format!("the feed answered HTTP {}", response.status().as_u16()));
        }
        if response.content_length().is_some_and(|n| n > MAX_FEED_BYTES as u64) {
            return Err("the feed is too large".into());
        }
        let bytes = response.bytes().await.map_err(|_| "the feed broke off".to_owned())?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    } else {
        let path = source.strip_prefix("file://").unwrap_or(source);
        let metadata = std::fs::metadata(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        if metadata.len() > MAX_FEED_BYTES as u64 {
            return Err("the feed is too large".into());
        }
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
    }
}

/// The demo's stand-in for the ECB: a feed dated `date` with fixed rates (CNY 7.7000), in
/// the published format. Pages showing a rate from it say it is simulated.
pub fn demo_feed(date: NaiveDate) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
<gesmes:subject>Reference rates (Lingshi demo simulation)</gesmes:subject>
<Cube><Cube time="{date}"><Cube currency="USD" rate="1.0500"/><Cube currency="GBP" rate="0.8400"/><Cube currency="CHF" rate="0.9400"/><Cube currency="CNY" rate="7.7000"/></Cube></Cube>
</gesmes:Envelope>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <Cube><Cube time="2026-11-27"><Cube currency="USD" rate="1.0512"/><Cube currency="CNY" rate="7.6543"/><Cube currency="JPY" rate="161.52"/></Cube></Cube>
</gesmes:Envelope>"#;

    #[test]
    fn the_newest_day_is_read_in_millionths() {
        let rates = parse(FEED).expect("feed");
        assert_eq!(rates.date, NaiveDate::from_ymd_opt(2026, 11, 27).expect("date"));
        assert_eq!(rates.rates.get("CNY"), Some(&7_654_300));
        assert_eq!(rates.rates.get("JPY"), Some(&161_520_000));
    }

    #[test]
    fn the_demo_feed_reads_as_a_feed_of_its_day() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
        let rates = parse(&demo_feed(day)).expect("feed");
        assert_eq!((rates.date, rates.rates.get("CNY")), (day, Some(&7_700_000)));
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        assert!(parse("<html>maintenance</html>").is_err());
        assert!(parse("not xml at all <").is_err());
        assert!(parse(&FEED.replace("7.6543", "-7.6")).is_err());
        assert!(parse(&FEED.replace("7.6543", "7,65")).is_err());
        assert!(parse(&FEED.replace("2026-11-27", "yesterday")).is_err());
        assert!(parse(&" ".repeat(MAX_FEED_BYTES + 1)).is_err());
    }
}
