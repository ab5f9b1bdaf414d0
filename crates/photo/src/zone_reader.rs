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
/// (line 1 by cells first: its fillers are what the engine misreads); the whole zone as
/// Tesseract reads it.
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
    let mixed = offer(by_cells[0].as_deref(), plain_second).or_else(|| offer(plain_first, by_cells[1].as_deref()));
    Ok(mixed.unwrap_or(plain))
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
