//! Finding a TD3 zone in OCR output. An OCR engine returns the page's lines with spaces it
//! guessed, a filler read as `«` or a lower-case letter, a line one filler short or long, and
//! the look-alike confusions (`0`/`O`, `1`/`I`, `5`/`S`, `8`/`B`, `2`/`Z`, `6`/`G`). The
//! zone's layout says which positions hold digits and which letters, so those are repaired
//! where they stand; in the alphanumeric document and personal numbers, one look-alike is
//! swapped only when that makes the check digit hold; a long run of fillers misread as
//! letters is put back where the layout allows nothing else (after the names; between two
//! fillers on line 2). A repaired zone still passes every check digit, or it is not read.

use super::{LINE_LENGTH, MrzProblem, Td3, is_zone_character};

/// Line 2's positions that hold digits: the dates, and the check digits.
const DIGIT_POSITIONS: [std::ops::RangeInclusive<usize>; 4] = [9..=9, 13..=19, 21..=27, 42..=43];
/// Where line 2's personal number begins.
const PERSONAL_NUMBER: usize = 28;
/// Line 2's alphanumeric fields repaired through their check digit: document number and
/// personal number.
const CHECKED_TEXT: [std::ops::Range<usize>; 2] = [0..9, 28..42];

/// The look-alike pairs: (letter, digit).
const LOOK_ALIKES: [(u8, u8); 9] = [
    (b'O', b'0'),
    (b'Q', b'0'),
    (b'D', b'0'),
    (b'I', b'1'),
    (b'L', b'1'),
    (b'Z', b'2'),
    (b'S', b'5'),
    (b'G', b'6'),
    (b'B', b'8'),
];

fn as_digit(byte: u8) -> u8 {
    LOOK_ALIKES.iter().find(|(letter, _)| *letter == byte).map_or(byte, |(_, digit)| *digit)
}

fn as_letter(byte: u8) -> u8 {
    LOOK_ALIKES.iter().find(|(_, digit)| *digit == byte).map_or(byte, |(letter, _)| *letter)
}

/// One OCR line as zone characters: spaces gone, `«` as two fillers, lower case raised, any
/// other stray mark a filler.
fn clean_line(line: &str) -> String {
    let mut clean = String::with_capacity(line.len());
    for c in line.chars().filter(|c| !c.is_whitespace()) {
        match u8::try_from(c.to_ascii_uppercase()) {
            _ if c == '«' => clean.push_str("<<"),
            Ok(byte) if is_zone_character(byte) => clean.push(char::from(byte)),
            _ => clean.push('<'),
        }
    }
    clean
}

/// `line` made 44 long by dropping or adding fillers in its longest run of them (the run an
/// OCR engine miscounts); `None` if it has no run to take from.
fn fit_line(mut line: Vec<u8>) -> Option<Vec<u8>> {
    while line.len() != LINE_LENGTH {
        let (start, length) = longest_filler_run(&line)?;
        if line.len() > LINE_LENGTH {
            line.remove(start);
        } else if length > 0 || line.len() + 1 == LINE_LENGTH {
            line.insert(start, b'<');
        } else {
            return None;
        }
    }
    Some(line)
}

fn longest_filler_run(line: &[u8]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    let mut position = 0;
    while position < line.len() {
        let run = line[position..].iter().take_while(|b| **b == b'<').count();
        if run > 0 && best.is_none_or(|(_, longest)| run > longest) {
            best = Some((position, run));
        }
        position += run.max(1);
    }
    best.or(if line.len() < LINE_LENGTH { Some((line.len(), 0)) } else { None })
}

/// Line 1's names as far as they go: no name holds three fillers in a row, so from the
/// first three on the line is fillers (an OCR engine reads long filler runs as `K`, `E`, `S`).
fn fill_after_names(mut line: Vec<u8>) -> Vec<u8> {
    if let Some(end) = line.windows(3).skip(5).position(|w| w == b"<<<") {
        for byte in &mut line[end + 5..] {
            *byte = b'<';
        }
    }
    line
}

/// Line 2 with misread fillers put back: a lone character between two fillers is one (its
/// fields are left-aligned and padded), and so is everything between the first two fillers
/// in a row of the personal number's field (from position 28) and the last two characters
/// (its check digit and the composite one).
fn fill_misread_fillers(mut line: Vec<u8>) -> Vec<u8> {
    for at in 1..line.len().saturating_sub(1) {
        if line[at - 1] == b'<' && line[at + 1] == b'<' {
            line[at] = b'<';
        }
    }
    let end = line.len().saturating_sub(2);
    if let Some(start) = line.windows(2).skip(PERSONAL_NUMBER).position(|w| w == b"<<") {
        for byte in line.iter_mut().take(end).skip(start + PERSONAL_NUMBER) {
            *byte = b'<';
        }
    }
    line
}

/// Line 1 with its letter-only positions repaired (document code, state, names).
fn repair_first(mut line: Vec<u8>) -> Vec<u8> {
    for byte in &mut line {
        *byte = as_letter(*byte);
    }
    line
}

/// Line 2 with its digit and letter positions repaired.
fn repair_second(mut line: Vec<u8>) -> Vec<u8> {
    for range in DIGIT_POSITIONS {
        for position in range {
            if line[position] != b'<' {
                line[position] = as_digit(line[position]);
            }
        }
    }
    for byte in &mut line[10..13] {
        *byte = as_letter(*byte);
    }
    line
}

/// The zone from `first` and `second`, trying each single look-alike swap in the checked
/// alphanumeric fields when the lines as read fail a check.
fn parse_repaired(first: &[u8], second: &[u8]) -> Result<Td3, MrzProblem> {
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let first = text(first);
    let as_read = Td3::parse(&first, &text(second));
    if !matches!(as_read, Err(MrzProblem::CheckDigit(_))) {
        return as_read;
    }
    for range in CHECKED_TEXT {
        for position in range {
            let original = second[position];
            let swapped = match (as_digit(original), as_letter(original)) {
                (digit, _) if digit != original => digit,
                (_, letter) if letter != original => letter,
                _ => continue,
            };
            let mut variant = second.to_vec();
            variant[position] = swapped;
            if let Ok(zone) = Td3::parse(&first, &text(&variant)) {
                return Ok(zone);
            }
        }
    }
    as_read
}

/// The zone in `ocr_text`: the last pair of consecutive zone-like lines whose first starts
/// with `P`.
pub(super) fn read(ocr_text: &str) -> Result<Td3, MrzProblem> {
    let lines: Vec<String> =
        ocr_text.lines().map(clean_line).filter(|line| line.len() + 14 >= LINE_LENGTH && line.len() <= 50).collect();
    let mut outcome = Err(MrzProblem::NotFound);
    for pair in lines.windows(2).rev() {
        if !pair[0].starts_with('P') {
            continue;
        }
        let first = fit_line(fill_after_names(pair[0].clone().into_bytes()));
        let second = fit_line(fill_misread_fillers(pair[1].clone().into_bytes()));
        let (Some(first), Some(second)) = (first, second) else {
            outcome = Err(MrzProblem::Malformed);
            continue;
        };
        outcome = parse_repaired(&repair_first(first), &repair_second(second));
        if outcome.is_ok() {
            break;
        }
    }
    outcome
}
