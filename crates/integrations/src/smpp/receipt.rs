//! Delivery receipts: a `deliver_sm` whose `esm_class` says it carries an SMSC delivery
//! receipt names the message it reports on (the `receipted_message_id` TLV, or `id:` in the
//! text of SMPP 3.4's appendix B) and its final state (`message_state`, or `stat:`).

use rusmpp::pdus::DeliverSm;
use rusmpp::tlvs::TlvValue;
use rusmpp::values::{MessageState, MessageType};

/// What finally happened to a message part the SMSC accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Refused by the network or the handset (`UNDELIV`, `REJECTD`, `DELETED`).
    Undeliverable,
    /// Its validity period passed before it could be delivered (`EXPIRED`).
    Expired,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Delivered => "delivered",
            Outcome::Undeliverable => "undeliverable",
            Outcome::Expired => "expired",
        }
    }

    /// The `stat:` word of a receipt's text for this outcome.
    pub fn stat(self) -> &'static str {
        match self {
            Outcome::Delivered => "DELIVRD",
            Outcome::Undeliverable => "UNDELIV",
            Outcome::Expired => "EXPIRED",
        }
    }
}

/// A final delivery report on the part the SMSC knows as `message_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub message_id: String,
    pub outcome: Outcome,
}

/// The receipt `deliver_sm` carries, if it is a receipt with a final state.
pub fn read(deliver: &DeliverSm) -> Option<Receipt> {
    if deliver.esm_class.message_type != MessageType::ShortMessageContainsMCDeliveryReceipt {
        return None;
    }
    let mut message_id = None;
    let mut state = None;
    for tlv in deliver.tlvs() {
        match tlv.value() {
            Some(TlvValue::ReceiptedMessageId(id)) => message_id = Some(id.to_string()),
            Some(TlvValue::MessageState(value)) => state = outcome_of_state(*value),
            _ => {}
        }
    }
    let text = String::from_utf8_lossy(deliver.short_message().as_ref()).into_owned();
    let message_id = message_id.or_else(|| field(&text, "id:"))?;
    let outcome = state.or_else(|| field(&text, "stat:").and_then(|stat| outcome_of_stat(&stat)))?;
    Some(Receipt { message_id, outcome })
}

fn outcome_of_state(state: MessageState) -> Option<Outcome> {
    match state {
        MessageState::Delivered => Some(Outcome::Delivered),
        MessageState::Expired => Some(Outcome::Expired),
        MessageState::Undeliverable | MessageState::Rejected | MessageState::Deleted => Some(Outcome::Undeliverable),
        _ => None,
    }
}

fn outcome_of_stat(stat: &str) -> Option<Outcome> {
    match stat {
        "DELIVRD" => Some(Outcome::Delivered),
        "EXPIRED" => Some(Outcome::Expired),
        "UNDELIV" | "REJECTD" | "DELETED" => Some(Outcome::Undeliverable),
        _ => None,
    }
}

/// The word after `key` in a receipt's text (`id:0123 sub:001 … stat:DELIVRD err:000`).
fn field(text: &str, key: &str) -> Option<String> {
    let start = text.find(key)? + key.len();
    let word: String = text[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    (!word.is_empty()).then_some(word)
}

/// The text of a receipt in SMPP 3.4's appendix B format.
pub fn text(message_id: &str, outcome: Outcome) -> String {
    let delivered = if outcome == Outcome::Delivered { "001" } else { "000" };
    format!(
        "id:{message_id} sub:001 dlvrd:{delivered} submit date:2611301200 done date:2611301201 stat:{} err:000 text:",
        outcome.stat()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusmpp::types::OctetString;
    use rusmpp::values::EsmClass;

    fn receipt_pdu(text: &str, tlvs: Vec<rusmpp::tlvs::MessageDeliveryRequestTlvValue>) -> DeliverSm {
        DeliverSm::builder()
            .esm_class(EsmClass {
                message_type: MessageType::ShortMessageContainsMCDeliveryReceipt,
                ..Default::default()
            })
            .short_message(OctetString::from_vec(text.as_bytes().to_vec()).expect("short"))
            .tlvs(tlvs)
            .build()
    }

    #[test]
    fn the_text_form_is_read() {
        for outcome in [Outcome::Delivered, Outcome::Undeliverable, Outcome::Expired] {
            let pdu = receipt_pdu(&text("7f3a", outcome), Vec::new());
            assert_eq!(read(&pdu), Some(Receipt { message_id: "7f3a".into(), outcome }));
        }
    }

    #[test]
    fn the_tlvs_win_over_the_text() {
        let pdu = receipt_pdu(
            "id:wrong stat:DELIVRD",
            vec![
                rusmpp::tlvs::MessageDeliveryRequestTlvValue::ReceiptedMessageId(
                    std::str::FromStr::from_str("right").expect("id"),
                ),
                rusmpp::tlvs::MessageDeliveryRequestTlvValue::MessageState(MessageState::Expired),
            ],
        );
        assert_eq!(read(&pdu), Some(Receipt { message_id: "right".into(), outcome: Outcome::Expired }));
    }

    #[test]
    fn a_plain_message_or_an_interim_state_is_no_receipt() {
        let plain = DeliverSm::builder()
            .short_message(OctetString::from_vec(b"id:1 stat:DELIVRD".to_vec()).expect("short"))
            .build();
        assert_eq!(read(&plain), None);
        assert_eq!(read(&receipt_pdu("id:1 stat:ENROUTE", Vec::new())), None);
        assert_eq!(read(&receipt_pdu("stat:DELIVRD", Vec::new())), None);
    }
}
