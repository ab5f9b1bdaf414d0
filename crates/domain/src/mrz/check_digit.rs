//! ICAO 9303's check digit: each character's value (digits their own, `A`–`Z` 10–35, the
//! filler 0) weighted 7, 3, 1 in turn, summed modulo 10.

/// The check digit of `field`, as the ASCII digit printed after it. Characters outside the
/// zone's alphabet count as fillers (a zone holding them is refused before any check).
pub fn check_digit(field: &str) -> u8 {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let sum: u32 = field
        .bytes()
        .zip(WEIGHTS.iter().cycle())
        .map(|(byte, weight)| {
            let value = match byte {
                b'0'..=b'9' => u32::from(byte - b'0'),
                b'A'..=b'Z' => u32::from(byte - b'A') + 10,
                _ => 0,
            };
            value * weight
        })
        .sum();
    // The remainder is below 10, so the digit fits a byte.
    b'0' + u8::try_from(sum % 10).unwrap_or(0)
}
