//! Static assets embedded in the binary: the stylesheet, the page scripts, and what makes the
//! site an installable app (the manifest, the icons drawn here, the service worker).

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::LazyLock;

const STYLESHEET: &str = include_str!("../assets/app.css");
const FACE_SCRIPT: &str = include_str!("../assets/face.js");
const INTERVIEW_SCRIPT: &str = include_str!("../assets/interview.js");
const PHOTO_CHECK_SCRIPT: &str = include_str!("../assets/photo-check.js");
const CROP_PREVIEW_SCRIPT: &str = include_str!("../assets/crop-preview.js");
const UPLOAD_SCRIPT: &str = include_str!("../assets/upload.js");
const SIGNATURE_SCRIPT: &str = include_str!("../assets/signature.js");
const PINYIN_SCRIPT: &str = include_str!("../assets/pinyin.js");
const APP_SCRIPT: &str = include_str!("../assets/app.js");
const MANIFEST: &str = include_str!("../assets/manifest.webmanifest");
const ICON_SVG: &str = include_str!("../assets/icon.svg");
const ICON_192: &[u8] = include_bytes!("../assets/icon-192.png");
const ICON_512: &[u8] = include_bytes!("../assets/icon-512.png");

/// The service worker, its cache named by a digest of everything it keeps: a release that
/// changes an asset replaces the cache in every browser.
static SERVICE_WORKER: LazyLock<String> = LazyLock::new(|| {
    let mut digest = ring::digest::Context::new(&ring::digest::SHA256);
    for part in [STYLESHEET.as_bytes(), APP_SCRIPT.as_bytes(), MANIFEST.as_bytes(), ICON_SVG.as_bytes(), ICON_192] {
        digest.update(part);
    }
    let digest: String = digest.finish().as_ref()[..8].iter().map(|b| format!("{b:02x}")).collect();
    include_str!("../assets/sw.js").replace("__ASSETS_DIGEST__", &digest)
});

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
        .route("/assets/app.js", get(|| async { script(APP_SCRIPT) }))
        .route("/assets/icon.svg", get(|| async { asset("image/svg+xml", ICON_SVG) }))
        .route("/assets/icon-192.png", get(|| async { bytes("image/png", ICON_192) }))
        .route("/assets/icon-512.png", get(|| async { bytes("image/png", ICON_512) }))
        .route("/manifest.webmanifest", get(|| async { asset("application/manifest+json", MANIFEST) }))
        // At the root, so that it may serve every page; always checked for a newer release.
        .route(
            "/sw.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")],
                    SERVICE_WORKER.as_str(),
                )
            }),
        )
}

/// A page script, as [`asset`] serves it.
fn script(body: &'static str) -> impl IntoResponse {
    asset("text/javascript; charset=utf-8", body)
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    bytes(content_type, body.as_bytes())
}

fn bytes(content_type: &'static str, body: &'static [u8]) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body)
}
