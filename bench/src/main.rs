//! Speed of the platform, measured against floors taken in the same run on the same
//! machine, so the ratios mean something wherever they run:
//!
//! 1. reading a mission (`GET /api/v1/missions/{id}`: session-less route, database read,
//!    JSON) against serving an embedded static asset through the same stack;
//! 2. submitting an identity claim (`PUT /api/v1/me/identity`: session lookup, validation,
//!    encryption, blind index, transactional write) against a bare single-row insert;
//! 3. saving an application's personal details (`PUT /api/v1/orders/{id}/steps/details`:
//!    session, order lock, decrypting the sealed form, validating every field, re-sealing,
//!    versioned update, the whole order view in the answer) against a bare single-row insert;
//! 4. the whole passport-photo check of a 1-megapixel JPEG (intake, face detection with
//!    landmarks, every rule) against the bare decode of the same file, for a loose snapshot and for a photo
//!    framed as a passport photo, with the share of face detection;
//! 5. taking in a 12-megapixel phone photo (an upright 4032 × 3024 JPEG: type, limits,
//!    decode, metadata left out and the result decoded again to prove it) against the bare
//!    decode of the same file;
//! 6. reading a passport data page's machine-readable zone (a generated, photographed page:
//!    the zone found and levelled, its cells and fillers, Tesseract, the parser and its check
//!    digits) against one bare Tesseract run on the zone already cut out.
//!
//! Run: `cargo run --release -p lingshi-bench` (loopback only, bounded request counts).

use lingshi_integrations::mail::FileMailer;
use lingshi_integrations::sms::DevSmsOutbox;
use lingshi_storage::blobs::BlobStore;
use lingshi_storage::{Db, MasterKey, Vault};
use lingshi_web::service::detecting_verifier::DetectingVerifier;
use lingshi_web::{Adapters, AppState, Settings};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

const WARMUP: usize = 200;
const SAMPLES: usize = 2000;
const PHOTO_WARMUP: usize = 5;
const PHOTO_SAMPLES: usize = 41;
const ZONE_WARMUP: usize = 2;
const ZONE_SAMPLES: usize = 15;

/// `image` as a JPEG of quality 90.
fn jpeg(image: &image::DynamicImage) -> Vec<u8> {
    use image::ImageEncoder;
    let rgb = image.to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(rgb.as_raw(), rgb.width(), rgb.height(), image::ExtendedColorType::Rgb8)
        .expect("encode");
    out
}

/// Two 1-megapixel JPEGs made from scikit-image's astronaut: the phone snapshot (the whole
/// picture with room above the head) at 944 × 1062 (a loose snapshot: the face is a fifth of
/// the width, among a flag and a spacesuit), and the crop the check suggests for it at
/// 830 × 1207 (framed as a passport photo: the face is half the width).
fn one_megapixel_photos() -> [(&'static str, Vec<u8>); 2] {
    use image::imageops::FilterType;
    let source = image::load_from_memory(&lingshi_photo::testing::phone_snapshot()).expect("fixture");
    let faces = lingshi_photo::detect_faces(&source).expect("model");
    let crop = lingshi_photo::check(&source, &faces).suggested_crop.expect("the astronaut's framing is fixable");
    let framed = source.crop_imm(crop.x, crop.y, crop.width, crop.height);
    [
        ("loose snapshot", jpeg(&source.resize_exact(944, 1062, FilterType::Triangle))),
        ("passport framing", jpeg(&framed.resize_exact(830, 1207, FilterType::Lanczos3))),
    ]
}

/// Medians of the whole check of `jpeg`, of face detection alone on its pixels, and of the
/// bare decode.
fn time_photo_check(jpeg: &[u8]) -> (Duration, Duration, Duration) {
    let (mut checks, mut detections, mut decodes) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..PHOTO_WARMUP + PHOTO_SAMPLES {
        let started = Instant::now();
        let report = lingshi_web::service::photo::check_bytes(jpeg, lingshi_photo::IntakeLimits::PHOTO).expect("check");
        let check = started.elapsed();
        let started = Instant::now();
        let decoded = image::load_from_memory(jpeg).expect("decode");
        let decode = started.elapsed();
        let started = Instant::now();
        let faces = lingshi_photo::detect_faces(&decoded).expect("model");
        let detection = started.elapsed();
        assert!(faces.len() == 1 && report.results.len() == lingshi_photo::Rule::ALL.len());
        if i >= PHOTO_WARMUP {
            checks.push(check);
            detections.push(detection);
            decodes.push(decode);
        }
    }
    (median(checks), median(detections), median(decodes))
}

/// Medians of taking in a 12-megapixel JPEG made from the astronaut, and of its bare decode.
fn time_phone_photo_intake() -> (Duration, Duration) {
    use image::imageops::FilterType;
    let source = image::load_from_memory(&lingshi_photo::testing::phone_snapshot()).expect("fixture");
    let photo = jpeg(&source.resize_exact(4032, 3024, FilterType::Triangle));
    let (mut intakes, mut decodes) = (Vec::new(), Vec::new());
    for i in 0..PHOTO_WARMUP + PHOTO_SAMPLES / 2 {
        let started = Instant::now();
        let clean = lingshi_photo::take_image(&photo, lingshi_photo::IntakeLimits::PHOTO).expect("intake");
        let intake = started.elapsed();
        let started = Instant::now();
        let decoded = image::load_from_memory(&photo).expect("decode");
        let decode = started.elapsed();
        assert_eq!((clean.width, clean.height), (decoded.width(), decoded.height()));
        if i >= PHOTO_WARMUP {
            intakes.push(intake);
            decodes.push(decode);
        }
    }
    (median(intakes), median(decodes))
}

/// Medians of reading the zone of a photographed data page, and of one bare Tesseract run
/// on that zone once cut out.
fn time_zone_read() -> (Duration, Duration) {
    use lingshi_domain::mrz::{ICAO_SPECIMEN, Td3};
    use lingshi_photo::testing::data_page::{Finish, data_page};
    let zone = Td3::parse(ICAO_SPECIMEN[0], ICAO_SPECIMEN[1]).expect("the specimen");
    let page = image::load_from_memory(&data_page(&zone.lines(), Finish::Photographed(2.0, 7))).expect("page");
    let reader = lingshi_photo::Tesseract::default();
    let cut = lingshi_photo::cut_zone(&page);
    let (mut reads, mut bare) = (Vec::new(), Vec::new());
    for i in 0..ZONE_WARMUP + ZONE_SAMPLES {
        let started = Instant::now();
        let reading = lingshi_web::service::zone_check::read(Some(&page), &reader);
        let read = started.elapsed();
        assert!(reading.contains("\"status\":\"read\""), "the bench page reads: {reading}");
        let started = Instant::now();
        reader.read(&cut.image, lingshi_photo::ZONE_CHARACTERS).expect("tesseract (Debian's tesseract-ocr)");
        let once = started.elapsed();
        if i >= ZONE_WARMUP {
            reads.push(read);
            bare.push(once);
        }
    }
    (median(reads), median(bare))
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

async fn time_requests(client: &reqwest::Client, url: &str) -> Duration {
    let mut samples = Vec::with_capacity(SAMPLES);
    for i in 0..WARMUP + SAMPLES {
        let started = Instant::now();
        let response = client.get(url).send().await.expect("request");
        let _ = response.bytes().await.expect("body");
        if i >= WARMUP {
            samples.push(started.elapsed());
        }
    }
    median(samples)
}

fn report(name: &str, ours: Duration, floor_name: &str, floor: Duration) {
    let ratio = ours.as_secs_f64() / floor.as_secs_f64();
    println!("{name}: median {ours:?}; floor ({floor_name}) median {floor:?}; ratio {ratio:.2}");
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("lingshi-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let db = Db::connect(&format!("sqlite://{}", dir.join("bench.db").display())).await.expect("db");
    lingshi_storage::migrate::run(&db).await.expect("migrate");
    lingshi_storage::seed::seed_missions(&db).await.expect("seed");
    let adapters = Adapters {
        mailer: Arc::new(FileMailer::new(dir.join("mail"), "bench@lingshi.test").expect("mailer")),
        sms: Arc::new(DevSmsOutbox::new(db.clone())),
        face: Arc::new(DetectingVerifier),
    };
    let vault = Vault::new(&MasterKey::generate().expect("key"));
    let blobs = BlobStore::open(&dir.join("files")).expect("files");
    let settings = Settings::standalone();
    let state = AppState::assemble(db.clone(), vault, blobs, adapters, settings).expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let app = lingshi_web::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::builder().cookie_store(true).build().expect("client");

    let floor = time_requests(&client, &format!("{base}/assets/app.css")).await;
    let ours = time_requests(&client, &format!("{base}/api/v1/missions/be-embassy")).await;
    report("mission read", ours, "static asset", floor);

    let (account, token) = bench_account(&db).await;
    let mut submissions = Vec::with_capacity(SAMPLES);
    let mut inserts = Vec::with_capacity(SAMPLES);
    let claim = serde_json::json!({"name": "张三", "document_kind": "passport", "document_number": "E12345678"});
    for i in 0..WARMUP + SAMPLES {
        let started = Instant::now();
        let response = client
            .put(format!("{base}/api/v1/me/identity"))
            .bearer_auth(&token)
            .json(&claim)
            .send()
            .await
            .expect("request");
        assert!(response.status().is_success(), "submission failed: {}", response.status());
        let submission = started.elapsed();
        let started = Instant::now();
        lingshi_storage::dev_outbox::add(&db, "bench", "-", "bare insert", chrono::Utc::now()).await.expect("insert");
        let insert = started.elapsed();
        if i >= WARMUP {
            submissions.push(submission);
            inserts.push(insert);
        }
    }
    report("identity submission", median(submissions), "bare insert", median(inserts));
    println!("(SQLite, WAL, synchronous=FULL; {SAMPLES} samples after {WARMUP} warm-up; account {account})");

    let skipped = client.post(format!("{base}/api/v1/me/identity/face/skip")).bearer_auth(&token).send().await;
    assert!(skipped.expect("request").status().is_success(), "face step skipped");
    let start = serde_json::json!({
        "service": "passport", "statement_accepted": true, "mission_id": "be-embassy", "residence_country": "BE",
        "route": {"held": "ordinary_passport", "lost": false}, "application_type": "renewal.passport.renewal",
    });
    let order: serde_json::Value = client
        .post(format!("{base}/api/v1/orders"))
        .bearer_auth(&token)
        .json(&start)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("order");
    let step_url = format!("{base}/api/v1/orders/{}/steps/details", order["id"].as_str().expect("order id"));
    let details = serde_json::json!({
        "surname_zh": "张", "given_name_zh": "三", "surname_pinyin": "ZHANG", "given_name_pinyin": "SAN",
        "sex": "male", "birth_date": "1990-05-01", "birth_place": "北京", "document_number": "E12345678",
        "address": "Avenue Louise 1, 1050 Bruxelles", "phone": "+32 470 12 34 56", "occupation": "工程师",
        "emergency_contact_name": "李四", "emergency_contact_phone": "+32 2 663 30 01",
    });
    let (mut saves, mut inserts) = (Vec::with_capacity(SAMPLES), Vec::with_capacity(SAMPLES));
    for i in 0..WARMUP + SAMPLES {
        let started = Instant::now();
        let response = client.put(&step_url).bearer_auth(&token).json(&details).send().await.expect("request");
        assert!(response.status().is_success(), "step failed: {}", response.status());
        let _ = response.bytes().await.expect("body");
        let save = started.elapsed();
        let started = Instant::now();
        lingshi_storage::dev_outbox::add(&db, "bench", "-", "bare insert", chrono::Utc::now()).await.expect("insert");
        let insert = started.elapsed();
        if i >= WARMUP {
            saves.push(save);
            inserts.push(insert);
        }
    }
    report("application step (details)", median(saves), "bare insert", median(inserts));

    for (kind, jpeg) in one_megapixel_photos() {
        let (check, detection, decode) = time_photo_check(&jpeg);
        report(&format!("photo check (1 MP JPEG, {kind})"), check, "bare decode", decode);
        report(&format!("  of which face detection ({kind})"), detection, "bare decode", decode);
    }
    let (intake, decode) = time_phone_photo_intake();
    report("photo intake (12 MP upright JPEG)", intake, "bare decode", decode);
    let (zone, tesseract) = time_zone_read();
    report("passport zone read (photographed data page)", zone, "one bare Tesseract run", tesseract);
    let _ = std::fs::remove_dir_all(dir);
}

async fn bench_account(db: &Db) -> (String, String) {
    let address = lingshi_domain::ContactAddress::parse("bench@example.com").expect("address");
    let mut tx = db.begin().await.expect("begin");
    let account = lingshi_storage::accounts::create(&mut tx, &address, "unused", "en", chrono::Utc::now())
        .await
        .expect("account");
    let token =
        lingshi_web::service::sign_in::open_session(&mut tx, lingshi_web::auth::SessionKind::Applicant, &account.id)
            .await
            .expect("session");
    tx.commit().await.expect("commit");
    (account.id, token)
}
