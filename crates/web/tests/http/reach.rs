//! Reach (issue 17), on both backends: the five languages negotiated, picked and remembered
//! (on the account too, so that its mail follows), amounts written per language, and online
//! translation against a LibreTranslate server simulated on loopback — translated, refused
//! field by field, the server busy or failing, the client's allowance, and a mission that
//! offers none.

use crate::support::{TestApp, error_code, field_code, new_client};
use lingshi_integrations::translate::LibreTranslate;
use lingshi_integrations::translate_simulator::{Behaviour, TranslationServer};
use lingshi_storage::{Db, both_backends};
use lingshi_web::state::TranslationSettings;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;

async fn page(client: &reqwest::Client, url: String, accept_language: &str) -> String {
    let response = client.get(url).header("accept-language", accept_language).send().await.expect("page");
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.expect("html")
}

both_backends!(every_page_speaks_the_readers_language_and_remembers_the_choice, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let reader = new_client();
    for (accept, tag, title) in [
        ("fr-BE,fr;q=0.9,en;q=0.5", "fr", "Services consulaires chinois"),
        ("nl-BE,nl;q=0.9", "nl", "Chinese consulaire diensten"),
        ("zh-HK,zh;q=0.8", "zh-Hant", "中國領事服務"),
        ("zh-CN", "zh-CN", "中国领事服务"),
        ("de-DE,en;q=0.7", "en", "Chinese consular services"),
    ] {
        let home = page(&reader, app.url("/"), accept).await;
        assert!(home.contains(&format!("<html lang=\"{tag}\">")), "{accept}: {}", &home[..200]);
        assert!(home.contains(title), "{accept} reads {title}");
        for language in ["简体中文", "繁體中文", "English", "Français", "Nederlands"] {
            assert!(home.contains(language), "the picker offers {language}");
        }
    }
    // Amounts as the reader writes them: the Belgian fee table.
    let fees = page(&reader, app.url("/missions/be-embassy"), "fr").await;
    assert!(fees.contains("16,00\u{a0}€"), "French amount");
    assert!(page(&reader, app.url("/missions/be-embassy"), "nl").await.contains("€\u{a0}16,00"), "Dutch amount");
    assert!(fees.contains("Ambassade de la République populaire de Chine en Belgique"), "the mission's French name");

    // The picker: a cookie that outlasts the header, and back to the page it was used on.
    let switch = reader
        .get(app.url("/lang?to=nl"))
        .header("referer", app.url("/missions/be-embassy?tab=fees"))
        .send()
        .await
        .expect("switch");
    assert_eq!(switch.status(), StatusCode::SEE_OTHER);
    assert_eq!(switch.headers()["location"], "/missions/be-embassy?tab=fees", "back where the reader was");
    let cookie = switch.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    assert!(cookie.starts_with("lang=nl;"), "{cookie}");
    let chosen = reader
        .get(app.url("/"))
        .header("cookie", "lang=nl")
        .header("accept-language", "zh-CN")
        .send()
        .await
        .expect("home");
    assert!(chosen.text().await.expect("html").contains("<html lang=\"nl\">"), "the choice beats the header");
    let elsewhere = reader.get(app.url("/lang?to=fr")).header("referer", "https://evil.example/phish").send().await;
    assert_eq!(elsewhere.expect("switch").headers()["location"], "/phish", "only ever a path on this site");

    // A signed-in applicant's choice is kept on the account, for the mail it is sent.
    let body = app.register("lang@example.org").await;
    let token = body["token"].as_str().expect("token");
    let account_id = body["account"]["id"].as_str().map(str::to_owned);
    let switched = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(app.url("/lang?to=fr"))
        .header("cookie", format!("ls_session={token}"))
        .send()
        .await
        .expect("switch");
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    let login =
        lingshi_storage::accounts::find_by_login(&app.db, "lang@example.org").await.expect("find").expect("account");
    assert_eq!(login.locale, "fr", "the account now writes to its owner in French");
    if let Some(id) = account_id {
        assert_eq!(id, login.id);
    }
});

/// A platform whose translator is a simulated LibreTranslate server asking for `key`.
async fn with_translation(db: Db, dir: PathBuf, server: &TranslationServer, key: Option<&str>) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = server.serve(listener).expect("serve");
    let client = LibreTranslate::new(&url, key.map(str::to_owned)).expect("client");
    let mut settings = crate::support::settings();
    settings.translation = TranslationSettings { translator: Some(Arc::new(client)), simulated: true };
    TestApp::start_with(db, dir, settings).await
}

async fn translate(app: &TestApp, client: &str, body: Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/translations"))
        .header("x-forwarded-for", client)
        .header("accept-language", "en")
        .json(&body)
        .send()
        .await
        .expect("request");
    (response.status(), response.json().await.unwrap_or(Value::Null))
}

both_backends!(online_translation_goes_through_the_libretranslate_protocol, |db: Db, dir: PathBuf| async move {
    let server = TranslationServer::new(Behaviour::Translate, Some("mission-key".into()));
    let app = with_translation(db, dir, &server, Some("mission-key")).await;
    let (status, answer) =
        translate(&app, "10.0.0.1", json!({"text": "我的护照丢了", "source": "zh", "target": "fr"})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["text"], "J'ai perdu mon passeport");
    assert_eq!(
        (answer["source"].as_str(), answer["target"].as_str(), answer["simulated"].as_bool()),
        (Some("zh"), Some("fr"), Some(true))
    );

    let (status, answer) = translate(&app, "10.0.0.1", json!({"text": " ", "source": "zh", "target": "zh"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (field_code(&answer, "text").as_str(), field_code(&answer, "target").as_str()),
        ("required", "translation_same_language")
    );
    let (status, answer) = translate(&app, "10.0.0.1", json!({"text": "hi", "source": "de", "target": "en"})).await;
    assert_eq!(
        (status, field_code(&answer, "source")),
        (StatusCode::UNPROCESSABLE_ENTITY, "unknown_choice".to_owned())
    );
    let requests_before = server.requests();
    let long = "字".repeat(501);
    let (status, _) = translate(&app, "10.0.0.1", json!({"text": long, "source": "zh", "target": "en"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(server.requests(), requests_before, "refused input never reaches the server");

    server.set_behaviour(Behaviour::Busy);
    let (status, answer) = translate(&app, "10.0.0.2", json!({"text": "谢谢", "source": "zh", "target": "nl"})).await;
    assert_eq!((status, error_code(&answer)), (StatusCode::SERVICE_UNAVAILABLE, "translation_busy"));
    let page = new_client()
        .post(app.url("/translate"))
        .header("x-forwarded-for", "10.0.0.2")
        .header("accept-language", "en")
        .form(&[("text", "请帮帮我"), ("source", "zh"), ("target", "en")])
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("The translation service is busy") && html.contains(">请帮帮我</textarea>"),
        "the form comes back with the text"
    );
    for behaviour in [Behaviour::Failing, Behaviour::Garbage] {
        server.set_behaviour(behaviour);
        let (status, answer) =
            translate(&app, "10.0.0.2", json!({"text": "谢谢", "source": "zh", "target": "nl"})).await;
        assert_eq!(
            (status, error_code(&answer)),
            (StatusCode::SERVICE_UNAVAILABLE, "translation_unavailable"),
            "{behaviour:?}"
        );
    }
    server.set_behaviour(Behaviour::Translate);

    // The allowance is per client: 20 in ten minutes.
    let mut last = StatusCode::OK;
    for _ in 0..21 {
        last = translate(&app, "10.0.0.3", json!({"text": "谢谢", "source": "zh", "target": "en"})).await.0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        translate(&app, "10.0.0.4", json!({"text": "谢谢", "source": "zh", "target": "en"})).await.0,
        StatusCode::OK
    );

    // The page: the form, the translation marked with its language, the demo's label.
    let page = new_client()
        .post(app.url("/translate"))
        .header("accept-language", "fr")
        .form(&[("text", "大使馆在哪里？"), ("source", "zh"), ("target", "nl")])
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("<p lang=\"nl\">Waar is de ambassade?</p>"), "{html}");
    assert!(html.contains("id=\"translate-simulated\""), "the simulation is labelled");
});

both_backends!(a_wrong_key_or_no_translator_is_said_plainly, |db: Db, dir: PathBuf| async move {
    let server = TranslationServer::new(Behaviour::Translate, Some("the-right-key".into()));
    let app = with_translation(db.clone(), dir.join("keyed"), &server, Some("a-wrong-key")).await;
    let (status, answer) = translate(&app, "10.0.1.1", json!({"text": "谢谢", "source": "zh", "target": "en"})).await;
    assert_eq!((status, error_code(&answer)), (StatusCode::SERVICE_UNAVAILABLE, "translation_unavailable"));

    let bare = TestApp::start(db, dir.join("bare")).await;
    let (status, answer) = translate(&bare, "10.0.1.2", json!({"text": "谢谢", "source": "zh", "target": "en"})).await;
    assert_eq!((status, error_code(&answer)), (StatusCode::CONFLICT, "translation_not_offered"));
    let html = new_client().get(bare.url("/translate")).send().await.expect("page").text().await.expect("html");
    assert!(html.contains("id=\"translate-not-offered\"") && !html.contains("<textarea"), "the tile explains, no form");
});

both_backends!(the_app_is_installable_and_keeps_nothing_personal, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let client = new_client();
    let manifest: Value =
        client.get(app.url("/manifest.webmanifest")).send().await.expect("manifest").json().await.expect("json");
    assert_eq!((manifest["short_name"].as_str(), manifest["display"].as_str()), (Some("领事"), Some("standalone")));
    for icon in manifest["icons"].as_array().expect("icons") {
        let src = icon["src"].as_str().expect("src");
        let served = client.get(app.url(src)).send().await.expect("icon");
        assert_eq!(served.status(), StatusCode::OK, "{src}");
        assert_eq!(served.headers()["content-type"], icon["type"].as_str().expect("type"), "{src}");
    }
    let worker = client.get(app.url("/sw.js")).send().await.expect("worker");
    assert_eq!(worker.headers()["cache-control"], "no-cache", "a new release is found at once");
    let script = worker.text().await.expect("script");
    assert!(
        !script.contains("__ASSETS_DIGEST__") && script.contains("lingshi-static-"),
        "the cache is named by the assets"
    );
    let kept = script.split("const KEPT = [").nth(1).and_then(|rest| rest.split(']').next()).expect("the kept list");
    for path in kept.split(',').map(|p| p.trim().trim_matches('"')) {
        assert!(
            path == "/offline" || path.starts_with("/assets/") || path == "/manifest.webmanifest",
            "{path} is static"
        );
        assert_eq!(client.get(app.url(path)).send().await.expect("kept").status(), StatusCode::OK, "{path}");
    }
    let offline = page(&client, app.url("/offline"), "nl").await;
    assert!(offline.contains("data-offline") && offline.contains("Geen verbinding"));
});

/// The bytes a browser downloads for `path` as it asks (brotli or gzip): the page and the
/// styles and scripts it links, each compressed.
async fn transferred(applicant: &crate::orders::Applicant, path: &str) -> usize {
    let fetch = |path: String| async move {
        let response = applicant
            .request(reqwest::Method::GET, &path)
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .expect("get");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(response.headers().get("content-encoding").is_some(), "{path} travels compressed");
        let bytes = response.bytes().await.expect("body");
        (bytes.len(), bytes)
    };
    let (mut total, _) = fetch(path.to_owned()).await;
    // The linked assets, read from the uncompressed page.
    let html = applicant.request(reqwest::Method::GET, path).send().await.expect("page").text().await.expect("html");
    let mut linked: Vec<&str> = html
        .split(['"', '\''])
        .filter(|part| part.starts_with("/assets/") && (part.ends_with(".js") || part.ends_with(".css")))
        .collect();
    linked.sort_unstable();
    linked.dedup();
    for asset in linked {
        total += fetch(asset.to_owned()).await.0;
    }
    total
}

both_backends!(every_applicant_page_weighs_under_50_kb_compressed, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let applicant = crate::orders::Applicant::verified(&app, "light@example.org", "E12345678").await;
    let id = crate::orders::filled_renewal(&applicant).await;
    let mut pages: Vec<String> = [
        "/",
        "/register",
        "/login",
        "/missions",
        "/missions/be-embassy",
        "/missions/be-embassy/notices",
        "/download/be-embassy",
        "/legalization",
        "/translate",
        "/photo-check",
        "/account",
        "/orders",
        "/pension",
        "/apply/passport",
        "/apply/emergency",
        "/messages",
    ]
    .iter()
    .map(|p| (*p).to_owned())
    .collect();
    pages.push(format!("/orders/{id}"));
    for step in ["details", "annotations", "photo", "declaration", "materials", "delivery", "review", "face", "payment"]
    {
        pages.push(format!("/orders/{id}/steps/{step}"));
    }
    let mut heaviest = (0, String::new());
    for path in &pages {
        let size = transferred(&applicant, path).await;
        assert!(size < 50 * 1024, "{path}: {size} bytes");
        heaviest = heaviest.max((size, path.clone()));
    }
    assert!(heaviest.0 > 2 * 1024, "the measure counts real pages ({heaviest:?})");
});

/// A signature written on paper and photographed: black strokes on white, as a JPEG.
fn photographed_signature() -> Vec<u8> {
    let mut pixels = image::RgbImage::from_pixel(640, 240, image::Rgb([250, 250, 246]));
    for x in 40..600 {
        for thickness in 0..4 {
            pixels.put_pixel(x, 100 + (x % 40) + thickness, image::Rgb([20, 20, 30]));
        }
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode(pixels.as_raw(), 640, 240, image::ExtendedColorType::Rgb8)
        .expect("jpeg");
    out
}

both_backends!(a_photographed_signature_stands_in_for_the_pad, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let applicant = crate::orders::Applicant::verified(&app, "paper@example.org", "E12345678").await;
    let id = crate::orders::renewal_with_details(&applicant).await;
    assert_eq!(applicant.step(&id, "annotations", json!({"kind": "none"})).await.0, StatusCode::OK);
    let photo = lingshi_photo::testing::fixture("astronaut.png");
    assert_eq!(applicant.upload(&id, "photo", "image/png", photo).await.0, StatusCode::OK);
    assert_eq!(applicant.step(&id, "photo", json!({})).await.0, StatusCode::OK);
    let (status, order) = applicant.upload(&id, "signature", "image/jpeg", photographed_signature()).await;
    assert_eq!(status, StatusCode::OK, "{order}");
    assert_eq!(order["signature"]["kind"], "jpeg");
    let (status, order) = applicant.step(&id, "declaration", json!({"signer": "applicant"})).await;
    assert_eq!((status, order["next_step"].as_str()), (StatusCode::OK, Some("materials")), "{order}");
    let (status, refused) = applicant.upload(&id, "signature", "application/pdf", crate::orders::pdf()).await;
    assert_eq!(
        (status, field_code(&refused, "signature").is_empty()),
        (StatusCode::UNPROCESSABLE_ENTITY, false),
        "{refused}"
    );
    let page = applicant.request(reqwest::Method::GET, &format!("/orders/{id}/steps/declaration")).send().await;
    let html = page.expect("page").text().await.expect("html");
    assert!(
        html.contains("id=\"signature-upload\"") && html.contains("signature-upload-hint"),
        "the upload beside the pad"
    );
});
