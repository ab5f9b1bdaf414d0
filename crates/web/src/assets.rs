//! Static assets embedded in the binary: the stylesheet and the page scripts.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const STYLESHEET: &str = include_str!("../assets/app.css");
const FACE_SCRIPT: &str = include_str!("../assets/face.js");
const PHOTO_CHECK_SCRIPT: &str = include_str!("../assets/photo-check.js");
const UPLOAD_SCRIPT: &str = include_str!("../assets/upload.js");
const SIGNATURE_SCRIPT: &str = include_str!("../assets/signature.js");
const PINYIN_SCRIPT: &str = include_str!("../assets/pinyin.js");

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/assets/app.css", get(|| async { asset("text/css; charset=utf-8", STYLESHEET) }))
        .route("/assets/face.js", get(|| async { asset("text/javascript; charset=utf-8", FACE_SCRIPT) }))
        .route("/assets/photo-check.js", get(|| async { asset("text/javascript; charset=utf-8", PHOTO_CHECK_SCRIPT) }))
        .route("/assets/upload.js", get(|| async { asset("text/javascript; charset=utf-8", UPLOAD_SCRIPT) }))
        .route("/assets/signature.js", get(|| async { asset("text/javascript; charset=utf-8", SIGNATURE_SCRIPT) }))
        .route("/assets/pinyin.js", get(|| async { asset("text/javascript; charset=utf-8", PINYIN_SCRIPT) }))
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body)
}
