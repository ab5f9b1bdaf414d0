//! Reading a passport's machine-readable zone from a photographed data page: the zone cut
//! out upright ([`crate::mrz_zone`]), its cells and fillers found ([`crate::zone_cells`]), the
//! fillers painted out and the rest read by Tesseract, each word put back in its cells. The
//! result is two lines of 44 characters for the zone parser (which checks the check digits
//! and repairs look-alikes). When that reading is not accepted, or the cells cannot be found,
//! Tesseract's plain reading of the zone is returned instead.

use image::DynamicImage;

use crate::mrz_zone::cut_zone;
use crate::ocr::{OcrError, Tesseract, Word, ZONE_CHARACTERS};
use crate::zone_cells::{CELLS, LineCells, line_cells, paint_out_fillers};

/// The zone's text on `page`: the first of these that `accept` takes, else the last: both
/// lines read cell by cell; the first so and the second as Tesseract reads the whole zone;
/// the whole zone as Tesseract reads it.
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
    let by_cells = match cells.filter(|cells| cells.len() == 2) {
        Some(cells) => {
            let words = tesseract.read_words(&paint_out_fillers(&zone.image, &ink, &cells), ZONE_CHARACTERS)?;
            cells.iter().map(|line| assemble(line, &words)).collect()
        }
        None => vec![None, None],
    };
    if let [Some(first), Some(second)] = by_cells.as_slice()
        && accept(&format!("{first}\n{second}"))
    {
        return Ok(format!("{first}\n{second}"));
    }
    let plain = tesseract.read(&zone.image, ZONE_CHARACTERS)?;
    let plain_second = plain.lines().rev().find(|line| line.trim().len() >= CELLS - 4);
    if let (Some(first), Some(second)) = (&by_cells[0], plain_second) {
        let mixed = format!("{first}\n{second}");
        if accept(&mixed) {
            return Ok(mixed);
        }
    }
    Ok(plain)
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
