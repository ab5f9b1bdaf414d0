//! A text message as the `submit_sm` PDUs that carry it: GSM 7-bit when every character is in
//! the GSM default alphabet, UCS-2 otherwise (Chinese text); longer texts split into parts
//! joined by a concatenation header (UDH, 8-bit reference), each part asking for a delivery
//! receipt.

use rusmpp::extra::concatenation::SubmitSmMultipartExt;
use rusmpp::extra::encoding::gsm7bit::{Gsm7BitAlphabet, Gsm7BitUnpacked};
use rusmpp::extra::encoding::ucs2::Ucs2;
use rusmpp::pdus::SubmitSm;
use rusmpp::types::COctetString;
use rusmpp::values::{MCDeliveryReceipt, Npi, RegisteredDelivery, Ton};
use std::str::FromStr;

/// Why a text could not be made into PDUs.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ComposeError {
    #[error("the destination is not an international number")]
    Destination,
    #[error("the sender is not valid")]
    Source,
    #[error("the text cannot be sent as a text message: {0}")]
    Text(String),
}

/// The parts of `text` from `source` to `destination` (international digits, `+` allowed),
/// their concatenation header carrying `reference`.
pub fn parts(source: &str, destination: &str, text: &str, reference: u8) -> Result<Vec<SubmitSm>, ComposeError> {
    let digits = destination.strip_prefix('+').unwrap_or(destination);
    if digits.len() < 8 || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ComposeError::Destination);
    }
    let source_ton = if source.bytes().all(|b| b.is_ascii_digit()) { Ton::International } else { Ton::Alphanumeric };
    let template = SubmitSm::builder()
        .source_addr_ton(source_ton)
        .source_addr_npi(if source_ton == Ton::International { Npi::Isdn } else { Npi::Unknown })
        .source_addr(COctetString::from_str(source).map_err(|_| ComposeError::Source)?)
        .dest_addr_ton(Ton::International)
        .dest_addr_npi(Npi::Isdn)
        .destination_addr(COctetString::from_str(digits).map_err(|_| ComposeError::Destination)?)
        .registered_delivery(RegisteredDelivery::new(
            MCDeliveryReceipt::McDeliveryReceiptRequestedWhereFinalDeliveryOutcomeIsSuccessOrFailure,
            Default::default(),
            Default::default(),
            0,
        ))
        .build();
    template
        .multipart(text)
        .encoder(Gsm7BitUnpacked::new().with_alphabet(Gsm7BitAlphabet::default()))
        .fallback(Ucs2::new())
        .reference_u8(reference)
        .build()
        .map_err(|e| ComposeError::Text(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusmpp::values::DataCoding;

    #[test]
    fn latin_text_goes_as_one_gsm_part() {
        let parts = parts("CNEmbassy", "+32470123456", "Your order 2026-000123 is ready.", 7).expect("parts");
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].data_coding, DataCoding::McSpecific);
        assert_eq!(parts[0].short_message().as_ref(), b"Your order 2026-000123 is ready.");
        assert_eq!(parts[0].destination_addr.to_string(), "32470123456");
        assert_eq!(parts[0].source_addr_ton, Ton::Alphanumeric);
    }

    #[test]
    fn chinese_text_goes_as_ucs2() {
        let parts = parts("3225000000", "8613800138000", "您的订单已办结", 1).expect("parts");
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].data_coding, DataCoding::Ucs2);
        let expected: Vec<u8> = "您的订单已办结".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(parts[0].short_message().as_ref(), expected.as_slice());
        assert_eq!(parts[0].source_addr_ton, Ton::International);
    }

    #[test]
    fn a_long_chinese_text_is_split_with_a_concatenation_header() {
        let text = "您的护照换发申请已受理，请按预约时间携带原护照到使馆领取新护照。".repeat(4);
        let parts = parts("CNEmbassy", "+8613800138000", &text, 42).expect("parts");
        assert!(parts.len() >= 2, "{} parts", parts.len());
        let mut joined = Vec::new();
        for (index, part) in parts.iter().enumerate() {
            assert_eq!(part.data_coding, DataCoding::Ucs2);
            let bytes = part.short_message().as_ref();
            // UDH: length 5, IE 0x00 (8-bit reference), IE length 3, reference, total, number.
            assert_eq!(&bytes[..6], &[5, 0, 3, 42, parts.len() as u8, index as u8 + 1]);
            joined.extend_from_slice(&bytes[6..]);
        }
        let units: Vec<u16> = joined.chunks(2).map(|pair| u16::from_be_bytes([pair[0], pair[1]])).collect();
        assert_eq!(String::from_utf16(&units).expect("utf-16"), text);
    }

    #[test]
    fn a_destination_that_is_not_a_number_is_refused() {
        assert_eq!(parts("CNEmbassy", "call me", "hi", 1).err(), Some(ComposeError::Destination));
        assert_eq!(parts("CNEmbassy", "+12", "hi", 1).err(), Some(ComposeError::Destination));
    }
}
