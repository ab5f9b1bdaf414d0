//! Fuzzes the passport zone reader with whatever an OCR engine might return. No input may
//! panic; a zone it accepts writes back to two 44-character lines that parse to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lingshi_domain::mrz::{LINE_LENGTH, Td3};

fuzz_target!(|input: &str| {
    if let Ok(zone) = Td3::read(input) {
        let [first, second] = zone.lines();
        assert_eq!((first.len(), second.len()), (LINE_LENGTH, LINE_LENGTH));
        assert_eq!(Td3::parse(&first, &second), Ok(zone));
    }
});
