//! Delivery status notifications (RFC 3464): the `multipart/report;
//! report-type=delivery-status` message a mail server sends back when it could not deliver a
//! message. Read here: which recipients failed (`Action: failed`), with their status code, and
//! the `Message-ID` of the message that bounced (from the returned headers), so that the
//! platform can mark the address and the notice.

use mail_parser::{Message, MimeHeaders};

/// A recipient the report says could not be reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRecipient {
    /// Lower-cased.
    pub address: String,
    /// The enhanced status code (`5.1.1`), or empty.
    pub status: String,
}

/// A bounce: who failed, and which message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    pub failed: Vec<FailedRecipient>,
    /// The bounced message's `Message-ID`, with its angle brackets.
    pub message_id: Option<String>,
}

fn is<'a>(part: &impl MimeHeaders<'a>, ctype: &str, subtypes: &[&str]) -> bool {
    part.content_type().is_some_and(|kind| {
        kind.ctype().eq_ignore_ascii_case(ctype)
            && kind.subtype().is_some_and(|sub| subtypes.iter().any(|s| sub.eq_ignore_ascii_case(s)))
    })
}

/// The bounce `message` is, if it is a delivery status report naming a failed recipient.
pub fn read(message: &Message<'_>) -> Option<Bounce> {
    if !is(message, "multipart", &["report"]) {
        return None;
    }
    let status =
        message.parts.iter().find(|part| is(*part, "message", &["delivery-status", "global-delivery-status"]))?;
    let failed = failed_recipients(&String::from_utf8_lossy(status.contents()));
    if failed.is_empty() {
        return None;
    }
    let message_id = message
        .parts
        .iter()
        .filter(|part| {
            is(*part, "text", &["rfc822-headers"]) || is(*part, "message", &["rfc822", "global", "global-headers"])
        })
        .find_map(|part| field(&String::from_utf8_lossy(part.contents()), "message-id"));
    Some(Bounce { failed, message_id })
}

/// The recipients of the per-recipient blocks whose action is `failed`.
fn failed_recipients(report: &str) -> Vec<FailedRecipient> {
    let report = report.replace("\r\n", "\n");
    report
        .split("\n\n")
        .filter(|block| field(block, "action").is_some_and(|action| action.eq_ignore_ascii_case("failed")))
        .filter_map(|block| {
            let recipient = field(block, "final-recipient").or_else(|| field(block, "original-recipient"))?;
            let address = recipient.rsplit(';').next()?.trim().trim_matches(['<', '>']).to_lowercase();
            address
                .contains('@')
                .then(|| FailedRecipient { address, status: field(block, "status").unwrap_or_default() })
        })
        .collect()
}

/// The value of header-style field `name` in `block` (continuation lines unfolded).
fn field(block: &str, name: &str) -> Option<String> {
    let mut lines = block.lines().peekable();
    while let Some(line) = lines.next() {
        let Some((key, value)) = line.split_once(':') else { continue };
        if !key.trim().eq_ignore_ascii_case(name) {
            continue;
        }
        let mut value = value.trim().to_owned();
        while let Some(next) = lines.peek().filter(|next| next.starts_with([' ', '\t'])) {
            value.push(' ');
            value.push_str(next.trim());
            lines.next();
        }
        return Some(value);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Option<Bounce> {
        let message = mail_parser::MessageParser::default().parse(raw.as_bytes()).expect("a message");
        read(&message)
    }

    #[test]
    fn a_failed_recipient_and_the_message_are_read() {
        let bounce = parse(&crate::testing::delivery_report("Zhang.San@Example.org", "failed", "<job-1@lingshi.test>"))
            .expect("a bounce");
        assert_eq!(
            bounce,
            Bounce {
                failed: vec![FailedRecipient { address: "zhang.san@example.org".into(), status: "5.1.1".into() }],
                message_id: Some("<job-1@lingshi.test>".into()),
            }
        );
    }

    #[test]
    fn a_delay_or_an_ordinary_mail_is_no_bounce() {
        assert_eq!(parse(&crate::testing::delivery_report("zhang@example.org", "delayed", "<x@y>")), None);
        assert_eq!(
            parse(
                "From: a@b.c\r\nTo: d@e.f\r\nSubject: hi\r\n\r\nFinal-Recipient: rfc822; d@e.f\r\nAction: failed\r\n"
            ),
            None
        );
    }
}
