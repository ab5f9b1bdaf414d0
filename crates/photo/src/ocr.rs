//! Reading text with Tesseract (Debian's `tesseract-ocr`), run as a program: the image goes
//! in on its standard input as PNG, the text comes back on its standard output. One run is
//! given one thread (`OMP_THREAD_LIMIT=1`: the caller already runs one heavy job per core)
//! and a deadline, after which it is killed.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use image::{GrayImage, ImageEncoder};

/// The characters of a machine-readable zone: what Tesseract is told to expect.
pub const ZONE_CHARACTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";

/// How to run Tesseract.
#[derive(Debug, Clone)]
pub struct Tesseract {
    pub program: PathBuf,
    pub deadline: Duration,
}

impl Default for Tesseract {
    fn default() -> Self {
        Self { program: PathBuf::from("tesseract"), deadline: Duration::from_secs(20) }
    }
}

/// Why no text came back.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error("the OCR program could not be run: {0}")]
    Unavailable(std::io::Error),
    #[error("the OCR program failed: {0}")]
    Failed(String),
    #[error("the OCR program ran past its deadline and was stopped")]
    TimedOut,
}

impl Tesseract {
    /// Whether the program runs at all (`--version`), for a start-up check.
    pub fn check(&self) -> Result<String, OcrError> {
        let output = Command::new(&self.program).arg("--version").output().map_err(OcrError::Unavailable)?;
        let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
        match (output.status.success(), text.lines().next()) {
            (true, Some(first)) => Ok(first.trim().to_owned()),
            _ => Err(OcrError::Failed(text)),
        }
    }

    /// The text of `image`, read as one block of lines drawn from `characters`, without the
    /// engine's dictionaries (a zone holds no words).
    pub fn read(&self, image: &GrayImage, characters: &str) -> Result<String, OcrError> {
        self.run(image, characters, &[])
    }

    /// The words of `image` (as [`Tesseract::read`] sees them), each with its box.
    pub fn read_words(&self, image: &GrayImage, characters: &str) -> Result<Vec<Word>, OcrError> {
        let table = self.run(image, characters, &["tsv"])?;
        // Columns: level, page, block, paragraph, line, word, left, top, width, height,
        // confidence, text; level 5 rows are words.
        Ok(table
            .lines()
            .skip(1)
            .filter_map(|row| {
                let columns: Vec<&str> = row.split('\t').collect();
                let number = |at: usize| columns.get(at).and_then(|c| c.parse::<f64>().ok());
                let text = columns.get(11)?.trim();
                (columns.first() == Some(&"5") && !text.is_empty()).then_some(Word {
                    left: number(6)?,
                    top: number(7)?,
                    width: number(8)?,
                    height: number(9)?,
                    text: text.to_owned(),
                })
            })
            .collect())
    }

    fn run(&self, image: &GrayImage, characters: &str, configs: &[&str]) -> Result<String, OcrError> {
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::L8)
            .map_err(|e| OcrError::Failed(e.to_string()))?;
        let mut child = Command::new(&self.program)
            .args(["stdin", "stdout", "--psm", "6", "-l", "eng"])
            .args(["-c", &format!("tessedit_char_whitelist={characters}")])
            .args(["-c", "load_system_dawg=0", "-c", "load_freq_dawg=0"])
            .args(configs)
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(OcrError::Unavailable)?;
        let written = child.stdin.take().map(|mut input| input.write_all(&png));
        let started = Instant::now();
        while child.try_wait().map_err(OcrError::Unavailable)?.is_none() {
            if started.elapsed() > self.deadline {
                // Killing a process that has just ended is harmless; either way it is reaped.
                let _ = child.kill();
                let _ = child.wait();
                return Err(OcrError::TimedOut);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let output = child.wait_with_output().map_err(OcrError::Unavailable)?;
        if let Some(Err(e)) = written {
            return Err(OcrError::Failed(e.to_string()));
        }
        if !output.status.success() {
            return Err(OcrError::Failed(String::from_utf8_lossy(&output.stderr).into_owned()));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

/// A word the OCR engine read, with its box in the image's pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    pub text: String,
}
