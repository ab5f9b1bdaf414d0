//! The zone's character cells. A TD3 line is 44 characters at a fixed pitch, so its cells can
//! be found from the ink alone: the pitch and phase whose cell boundaries cross the least
//! ink. A filler `<` is the one character drawn as a chevron (see [`is_chevron`]), so the
//! cells holding fillers are known before any OCR. General-purpose OCR
//! models misread long runs of fillers (as `K`, `S`, `5`, or not at all), so the fillers are
//! painted out and the OCR engine reads only the letters and digits, whose cells its word
//! boxes give back.

use image::{GrayImage, Luma};

use crate::mrz_zone::TextLine;

/// Characters per zone line.
pub const CELLS: usize = 44;
/// How far the pitch may differ from the one the line's length suggests.
const PITCH_LATITUDE: f64 = 0.07;

/// The cells of one zone line.
#[derive(Debug, Clone, PartialEq)]
pub struct LineCells {
    /// Where cell 0 begins, and each cell's width, in the zone image's pixels.
    pub start: f64,
    pub pitch: f64,
    /// The rows the line's ink may reach, top to bottom.
    pub top: f64,
    pub bottom: f64,
    /// Which cells hold a filler.
    pub fillers: Vec<bool>,
}

impl LineCells {
    /// The cell whose character's ink begins at `x` (a glyph's ink starts a little way into
    /// its cell).
    pub fn cell_at(&self, x: f64) -> i64 {
        ((x - self.start) / self.pitch - 0.1).round() as i64
    }

    fn height_slack(&self) -> f64 {
        (self.bottom - self.top) * 0.05
    }
}

/// Ink per column of `ink` (an image `width` wide) between rows `top` and `bottom`.
fn column_profile(ink: &[bool], width: usize, (top, bottom): (usize, usize)) -> Vec<u32> {
    let mut columns = vec![0u32; width];
    for row in ink.chunks_exact(width).take(bottom).skip(top) {
        for (column, &dark) in columns.iter_mut().zip(row) {
            *column += u32::from(dark);
        }
    }
    columns
}

/// The cells of `line` in a zone image `width` wide whose ink is `ink`; `None` for a line
/// too short to hold 44 cells.
pub fn line_cells(ink: &[bool], width: usize, line: &TextLine) -> Option<LineCells> {
    let rows = ink.len() / width.max(1);
    let slack = line.height() * 0.3;
    let top = (line.top - slack).max(0.0) as usize;
    let bottom = ((line.bottom + slack).ceil() as usize).min(rows);
    let columns = column_profile(ink, width, (top, bottom));
    let inked: Vec<usize> = (0..width).filter(|&x| columns[x] > 0).collect();
    let (&left, &right) = (inked.first()?, inked.last()?);
    let suggested = (right - left) as f64 / (CELLS as f64 - 0.5);
    if suggested < 4.0 {
        return None;
    }
    let ink_at = |x: f64| columns.get(x.round().max(0.0) as usize).copied().unwrap_or(0);
    let mut best: Option<(u32, f64, f64)> = None;
    let steps = (suggested * PITCH_LATITUDE / 0.05).ceil() as i32;
    for step in -steps..=steps {
        let pitch = suggested + f64::from(step) * 0.05;
        for half_pixels in 0..(pitch * 2.0) as i32 {
            let start = left as f64 - f64::from(half_pixels) * 0.5;
            let crossed: u32 = (0..=CELLS).map(|k| ink_at(start + k as f64 * pitch)).sum();
            if best.is_none_or(|(least, _, _)| crossed < least) {
                best = Some((crossed, start, pitch));
            }
        }
    }
    let (_, start, pitch) = best?;
    let fillers = (0..CELLS)
        .map(|k| {
            // The cell's middle four fifths: a neighbour's overhang stays out.
            let from = (start + (k as f64 + 0.1) * pitch).max(0.0) as usize;
            let to = ((start + (k as f64 + 0.9) * pitch).max(0.0) as usize).min(width);
            is_chevron(ink, width, (from.min(to), to), (top, bottom))
        })
        .collect();
    Some(LineCells { start, pitch, top: line.top - slack, bottom: line.bottom + slack, fillers })
}

/// Whether the ink of the box `columns` × `rows` of `ink` (an image `width` wide) is a
/// chevron `<`, or blank: at the middle of its height the ink is all at its left, while at
/// its top and bottom it begins far to the right. No letter or digit of OCR-B is drawn so
/// (`A` and `C` begin at the left below, `K` and `Z` above, `8` reaches right in the middle).
fn is_chevron(ink: &[bool], width: usize, (from, to): (usize, usize), (top, bottom): (usize, usize)) -> bool {
    let row = |y: usize| &ink[y * width + from..y * width + to];
    // Each inked row: its y, and where its ink begins and ends.
    let inked: Vec<(usize, usize, usize)> = (top..bottom)
        .filter_map(|y| Some((y, row(y).iter().position(|d| *d)?, row(y).iter().rposition(|d| *d)?)))
        .collect();
    let (Some(&(high, ..)), Some(&(low, ..))) = (inked.first(), inked.last()) else {
        return true;
    };
    let left = inked.iter().map(|&(_, start, _)| start).min().unwrap_or(0);
    let right = inked.iter().map(|&(_, _, end)| end).max().unwrap_or(0);
    let (span, glyph_width) = ((low - high).max(4) as f64, (right - left).max(1) as f64);
    // The mean start and end of the ink over a band of the height, as shares of the width.
    let band = |from_share: f64, to_share: f64| {
        let rows: Vec<_> = inked
            .iter()
            .filter(|(y, ..)| (from_share..to_share).contains(&((*y - high) as f64 / span)))
            .map(|&(_, start, end)| ((start - left) as f64 / glyph_width, (end - left) as f64 / glyph_width))
            .collect();
        let count = rows.len().max(1) as f64;
        (rows.iter().map(|r| r.0).sum::<f64>() / count, rows.iter().map(|r| r.1).sum::<f64>() / count)
    };
    let ((upper, _), (middle, middle_end), (lower, _)) = (band(0.0, 0.2), band(0.4, 0.6), band(0.8, 1.01));
    upper - middle > 0.5 && lower - middle > 0.5 && middle_end < 0.5
}

/// `image` with the filler cells of `lines` painted over with their paper's own shade (the
/// mean of the cell's pixels that are not ink), so no edge is left for the OCR engine to
/// read.
pub fn paint_out_fillers(image: &GrayImage, ink: &[bool], lines: &[LineCells]) -> GrayImage {
    let mut painted = image.clone();
    let width = image.width() as usize;
    for line in lines {
        let rows = (line.top - line.height_slack()).max(0.0) as u32
            ..((line.bottom + line.height_slack()).max(0.0) as u32).min(image.height());
        for (k, _) in line.fillers.iter().enumerate().filter(|(_, filler)| **filler) {
            let columns = (line.start + k as f64 * line.pitch).max(0.0) as u32
                ..((line.start + (k + 1) as f64 * line.pitch).max(0.0) as u32).min(image.width());
            let cell = || rows.clone().flat_map(|y| columns.clone().map(move |x| (x, y)));
            let paper: Vec<u32> = cell()
                .filter(|&(x, y)| !ink[y as usize * width + x as usize])
                .map(|(x, y)| u32::from(image.get_pixel(x, y).0[0]))
                .collect();
            let shade = (paper.iter().sum::<u32>() / u32::try_from(paper.len().max(1)).unwrap_or(1)) as u8;
            for (x, y) in cell() {
                painted.put_pixel(x, y, Luma([if paper.is_empty() { 255 } else { shade }]));
            }
        }
    }
    painted
}
