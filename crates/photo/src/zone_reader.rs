//! Reading a passport's machine-readable zone from a photographed data page: the zone cut
//! out upright ([`crate::mrz_zone`]), its cells and fillers found ([`crate::zone_cells`]), the
//! fillers painted out and the rest read by Tesseract, each word put back in its cells. The
//! result is two lines of 44 characters for the zone parser (which checks the check digits
//! and repairs look-alikes). When that reading is not accepted, or the cells cannot be found,
//! each line read by cells is offered with the other line of Tesseract's plain reading of
//! the zone, and at last the plain reading itself is returned.

use image::DynamicImage;

use crate::mrz_zone::cut_zone;
use crate::ocr::{OcrError, Tesseract, Word, ZONE_CHARACTERS};
use crate::zone_cells::{CELLS, LineCells, line_cells, paint_out_fillers};

/// The zone's text on `page`: the first of these that `accept` takes, else the last: both
/// lines read cell by cell; one line so and the other as Tesseract reads the whole zone
/// (line 1 by cells first: its fillers are what the engine misreads); both by cells but for
/// line 2's final check digits, taken from the plain reading; the whole zone as Tesseract
/// reads it.
pub fn read_zone(
    page: &DynamicImage,
    tesseract: &Tesseract,
    accept: impl Fn(&str) -> bool,
) -> Result<String, OcrError> {
    let zone = cut_zone(page);
    let width = zone.image.width() as usize;
    // About half a line's height: a character's neighbourhood.
    let ink = crate::raster::local_ink(&zone.image, 18);
    let cells: Option<Vec<LineCells>> = zone.lines.iter().map(|line| line_cells(&ink, width, line)).collect();
    let by_cells: Vec<Option<String>> = match cells.filter(|cells| cells.len() == 2) {
        Some(cells) => {
            let words = tesseract.read_words(&paint_out_fillers(&zone.image, &ink, &cells), ZONE_CHARACTERS)?;
            cells.iter().map(|line| assemble(line, &words)).collect()
        }
        None => vec![None, None],
    };
    let offer = |first: Option<&str>, second: Option<&str>| {
        let text = format!("{}\n{}", first?, second?);
        accept(&text).then_some(text)
    };
    if let Some(text) = offer(by_cells[0].as_deref(), by_cells[1].as_deref()) {
        return Ok(text);
    }
    let plain = tesseract.read(&zone.image, ZONE_CHARACTERS)?;
    let mut long_lines = plain.lines().rev().filter(|line| line.trim().len() >= CELLS - 4);
    let (plain_second, plain_first) = (long_lines.next(), long_lines.next());
    let mixed = offer(by_cells[0].as_deref(), plain_second)
        .or_else(|| offer(plain_first, by_cells[1].as_deref()))
        .or_else(|| {
            let ending = with_plain_ending(by_cells[1].as_deref()?, plain_second?);
            offer(by_cells[0].as_deref(), Some(&ending))
        });
    Ok(mixed.unwrap_or(plain))
}

/// `by_cells` (line 2 read cell by cell) ending with the last two characters of `plain` (the
/// same line in the plain reading), aligned from the end: line 2 ends with two check digits
/// that stand alone once the fillers before them are painted out, and a lone character is
/// what the engine misreads most; in the plain reading they stand in context.
fn with_plain_ending(by_cells: &str, plain: &str) -> String {
    let ending: String = plain.trim().chars().rev().take(2).collect::<Vec<_>>().into_iter().rev().collect();
    let kept = by_cells.chars().count().saturating_sub(ending.chars().count());
    by_cells.chars().take(kept).chain(ending.chars()).collect()
}

/// `line` as text: fillers where found, and the characters of the words whose middle is on
/// it in the other cells (a filler the chevron test missed comes back as read), from the
/// cell the word's first character stands in. `None` when the words overrun the line or
/// leave a cell empty (a character invented or lost).
fn assemble(line: &LineCells, words: &[Word]) -> Option<String> {
    let mut text: Vec<u8> = line.fillers.iter().map(|filler| if *filler { b'<' } else { b'?' }).collect();
    for word in words.iter().filter(|word| (line.top..line.bottom).contains(&(word.top + word.height / 2.0))) {
        let mut cell = usize::try_from(line.cell_at(word.left)).ok()?;
        for letter in word.text.bytes() {
            while line.fillers.get(cell) == Some(&true) {
                cell += 1;
            }
            *text.get_mut(cell)? = letter;
            cell += 1;
        }
    }
    let text = String::from_utf8(text).ok()?;
    (!text.contains('?')).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::with_plain_ending;

    #[test]
    fn the_final_check_digits_come_from_the_plain_reading_aligned_from_the_end() {
        let by_cells = "E236749395CHN2807133F0508034<<<<<<<<<<<<<<<4";
        let plain = "E236749395CHN2807133FO0508034<<<<<K<<K<<<<<<<<2 ";
        let ending = with_plain_ending(by_cells, plain);
        assert_eq!(ending, "E236749395CHN2807133F0508034<<<<<<<<<<<<<<<2");
        assert_eq!(with_plain_ending("AB", "7"), "A7", "a short plain line lends what it has");
    }
}
