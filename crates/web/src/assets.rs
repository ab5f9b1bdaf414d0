//! Static assets embedded in the binary: the stylesheet and the page scripts.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const STYLESHEET: &str = include_str!("../assets/app.css");
const FACE_SCRIPT: &str = include_str!("../assets/face.js");
const INTERVIEW_SCRIPT: &str = include_str!("../assets/interview.js");
const PHOTO_CHECK_SCRIPT: &str = include_str!("../assets/photo-check.js");
const CROP_PREVIEW_SCRIPT: &str = include_str!("../assets/crop-preview.js");
const UPLOAD_SCRIPT: &str = include_str!("../assets/upload.js");
const SIGNATURE_SCRIPT: &str = include_str!("../assets/signature.js");
const PINYIN_SCRIPT: &str = include_str!("../assets/pinyin.js");

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/assets/app.css", get(|| async { asset("text/css; charset=utf-8", STYLESHEET) }))
        .route("/assets/face.js", get(|| async { script(FACE_SCRIPT) }))
        .route("/assets/interview.js", get(|| async { script(INTERVIEW_SCRIPT) }))
        .route("/assets/photo-check.js", get(|| async { script(PHOTO_CHECK_SCRIPT) }))
        .route("/assets/crop-preview.js", get(|| async { script(CROP_PREVIEW_SCRIPT) }))
        .route("/assets/upload.js", get(|| async { script(UPLOAD_SCRIPT) }))
        .route("/assets/signature.js", get(|| async { script(SIGNATURE_SCRIPT) }))
        .route("/assets/pinyin.js", get(|| async { script(PINYIN_SCRIPT) }))
}

/// A page script, as [`asset`] serves it.
fn script(body: &'static str) -> impl IntoResponse {
    asset("text/javascript; charset=utf-8", body)
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body)
}
