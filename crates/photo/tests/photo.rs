//! The photo crate's tests, one binary: intake, face detection and the passport-photo check,
//! on real photographs (scikit-image's, fetched by the test command) and variants made here.

#[path = "photo/accuracy.rs"]
mod accuracy;
#[path = "photo/check.rs"]
mod check;
#[path = "photo/faces.rs"]
mod faces;
#[path = "photo/intake.rs"]
mod intake;
