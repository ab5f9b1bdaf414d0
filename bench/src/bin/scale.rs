//! Issue 14's scale measures on PostgreSQL.
//!
//!   scale generate URL ORDERS    fills the database with ORDERS realistic orders (and one
//!                                account per four orders) through COPY
//!   scale measure URL [ROUNDS]   times the staff queue's first page (unfiltered, then with
//!                                each filter), search by order number, by document number and
//!                                by name, and an applicant's status read, ROUNDS times each
//!                                with values drawn from the data; prints p50/p99 and the plan
//!
//! Orders are made as the platform makes them: the form (personal details of a generated
//! person) sealed under the master key in `LINGSHI_MASTER_KEY`, the document and name indexes
//! keyed with it, across every mission, service, application type and state, submitted over
//! three years. Run the server over the same database with the same key to browse them.

use chrono::{DateTime, Duration, TimeZone, Utc};
use lingshi_domain::application_form::Form;
use lingshi_domain::details::ValidDetails;
use lingshi_domain::order::OrderState;
use lingshi_storage::orders::{self, QueueFilter};
use lingshi_storage::{Db, MasterKey, Vault};
use lingshi_web::service::orders::{DOCUMENT_INDEX_FIELD, NAME_INDEX_FIELD, applicant_indexes, name_key};
use serde_json::json;
use std::fmt::Write;
use std::time::Instant;

const SURNAMES: [(&str, &str); 10] = [
    ("张", "ZHANG"),
    ("王", "WANG"),
    ("李", "LI"),
    ("刘", "LIU"),
    ("陈", "CHEN"),
    ("杨", "YANG"),
    ("黄", "HUANG"),
    ("赵", "ZHAO"),
    ("吴", "WU"),
    ("周", "ZHOU"),
];
const GIVEN: [(&str, &str); 15] = [
    ("伟", "WEI"),
    ("芳", "FANG"),
    ("娜", "NA"),
    ("敏", "MIN"),
    ("静", "JING"),
    ("丽", "LI"),
    ("强", "QIANG"),
    ("磊", "LEI"),
    ("军", "JUN"),
    ("洋", "YANG"),
    ("勇", "YONG"),
    ("艳", "YAN"),
    ("杰", "JIE"),
    ("涛", "TAO"),
    ("明", "MING"),
];
/// How the states of a mission's orders are spread: most are done.
const STATES: [(OrderState, u64); 11] = [
    (OrderState::Completed, 58),
    (OrderState::UnderReview, 8),
    (OrderState::AwaitingProduction, 6),
    (OrderState::ReadyForPickup, 4),
    (OrderState::PendingPayment, 4),
    (OrderState::SupplementRequired, 3),
    (OrderState::InterviewRequired, 2),
    (OrderState::InterviewBooked, 1),
    (OrderState::Rejected, 4),
    (OrderState::Withdrawn, 3),
    (OrderState::Draft, 7),
];
const TYPES: [&str; 4] = [
    "renewal.passport.renewal",
    "replacement.passport.replacement",
    "first.passport.first",
    "renewal.travel_document.renewal",
];
const BATCH: u64 = 20_000;
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// A fixed pseudo-random function of `n` (SplitMix64): the same data every run.
fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pick<T: Copy>(items: &[T], n: u64) -> T {
    items[usize::try_from(n % items.len() as u64).unwrap_or(0)]
}

fn state_of(n: u64) -> OrderState {
    let total: u64 = STATES.iter().map(|(_, w)| w).sum();
    let mut roll = mix(n ^ 0x5157) % total;
    for (state, weight) in STATES {
        if roll < weight {
            return state;
        }
        roll -= weight;
    }
    OrderState::Completed
}

/// The person of order `n`: name, pinyin, passport number, birth date.
fn person(n: u64) -> (String, String, String, String, String) {
    let r = mix(n);
    let (surname, surname_pinyin) = pick(&SURNAMES, r);
    let (one, one_pinyin) = pick(&GIVEN, r >> 8);
    let (two, two_pinyin) = pick(&GIVEN, r >> 16);
    let birth = Utc.with_ymd_and_hms(1950, 1, 1, 0, 0, 0).single().unwrap_or_default()
        + Duration::days(i64::try_from((r >> 24) % 25_000).unwrap_or(0));
    (
        surname.to_owned(),
        format!("{one}{two}"),
        surname_pinyin.to_owned(),
        format!("{one_pinyin}{two_pinyin}"),
        birth.format("%Y-%m-%d").to_string(),
    )
}

fn passport(n: u64) -> String {
    format!("E{:08}", n % 100_000_000)
}

fn order_number(country: &str, day: DateTime<Utc>, n: u64) -> String {
    let tail: String =
        (0..6).map(|i| char::from(ALPHABET[usize::try_from((n >> (5 * i)) & 31).unwrap_or(0)])).collect();
    format!("{}{}{tail}", country.to_ascii_uppercase(), day.format("%y%m%d"))
}

fn details(n: u64) -> ValidDetails {
    let (surname, given, surname_pinyin, given_pinyin, birth) = person(n);
    let stored = json!({
        "surname_zh": surname, "given_name_zh": given, "surname_pinyin": surname_pinyin,
        "given_name_pinyin": given_pinyin, "sex": if n.is_multiple_of(2) { "male" } else { "female" },
        "birth_date": birth, "birth_place": "北京", "document_number": passport(n),
        "address": format!("Avenue Louise {}, 1050 Bruxelles", n % 400 + 1), "phone": "+32 470 12 34 56",
        "email": format!("person{n}@example.org"), "occupation": "工程师",
        "emergency_contact_name": "李四", "emergency_contact_phone": "+32 2 663 30 01",
    });
    serde_json::from_value(stored).unwrap_or_else(|e| panic!("generated details do not read: {e}"))
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(3 + bytes.len() * 2);
    out.push_str("\\\\x");
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn vault() -> Vault {
    let key = std::env::var("LINGSHI_MASTER_KEY").expect("set LINGSHI_MASTER_KEY (the key the server will use)");
    Vault::new(&MasterKey::from_base64(&key).expect("LINGSHI_MASTER_KEY is 32 bytes in base64"))
}

async fn generate(url: &str, count: u64) {
    let db = Db::connect(url).await.expect("database");
    lingshi_storage::migrate::run(&db).await.expect("migrations");
    lingshi_storage::seed::seed_missions(&db).await.expect("missions");
    let Db::Postgres(pool) = &db else { panic!("scale generate fills PostgreSQL") };
    let missions: Vec<(String, String)> =
        sqlx::query_as("SELECT id, country_code FROM missions ORDER BY id").fetch_all(pool).await.expect("missions");
    let vault = vault();
    let start = Utc::now() - Duration::days(3 * 365);
    let started = Instant::now();
    let accounts = count.div_ceil(4);
    // A bulk load: row triggers (foreign keys, the state counts) are off for this session,
    // and the counts are taken once at the end.
    let mut connection = pool.acquire().await.expect("connection");
    sqlx::query("SET session_replication_role = replica").execute(&mut *connection).await.expect("bulk load");
    let mut copy = connection
        .copy_in_raw(
            "COPY accounts (id, login, login_channel, password_hash, locale, identity_state, created_at, updated_at)
             FROM STDIN",
        )
        .await
        .expect("copy accounts");
    let mut buffer = String::new();
    for a in 0..accounts {
        let _ = writeln!(
            buffer,
            "gen-account-{a}\tgen{a}@example.org\temail\tnot-a-password-hash\tzh-CN\tverified\t{start:?}\t{start:?}"
        );
        if (a + 1) % BATCH == 0 || a + 1 == accounts {
            copy.send(std::mem::take(&mut buffer).into_bytes()).await.expect("send");
        }
    }
    copy.finish().await.expect("accounts");
    let mut copy = connection
        .copy_in_raw(
            "COPY orders (id, number, mission_id, service, application_type, state, submitter_id, progress, form,
                 document_index, name_index, pinyin_index, minor, face_state, photo_passed, payment_method, fee_minor,
                 fee_currency, version, created_at, updated_at, submitted_at) FROM STDIN",
        )
        .await
        .expect("copy orders");
    for n in 0..count {
        // One mission in three orders is the Embassy in Belgium; the rest spread evenly.
        let (mission, country) = if mix(n ^ 0xBE).is_multiple_of(3) {
            missions.iter().find(|(id, _)| id == "be-embassy").unwrap_or(&missions[0]).clone()
        } else {
            pick(&missions.iter().collect::<Vec<_>>()[..], mix(n ^ 0x31)).clone()
        };
        let state = state_of(n);
        let created = start + Duration::seconds(i64::try_from(mix(n ^ 0xC) % (3 * 365 * 86_400)).unwrap_or(0));
        let submitted = (state != OrderState::Draft).then_some(created + Duration::minutes(30));
        let person = details(n);
        let indexes = applicant_indexes(&person, &vault);
        let form = Form {
            residence_country: country.to_ascii_uppercase(),
            present_country: country.to_ascii_uppercase(),
            details: Some(person),
            ..Form::default()
        };
        let id = format!("gen-order-{n:010}");
        let sealed =
            vault.encrypt(&format!("orders.form/{id}"), &serde_json::to_vec(&form).expect("form")).expect("seal");
        let emergency = mix(n ^ 0xE).is_multiple_of(20);
        let (service, kind) = if emergency {
            ("emergency", "\\N".to_owned())
        } else {
            ("passport", pick(&TYPES, mix(n ^ 0x7)).to_owned())
        };
        let index = |i: &Option<Vec<u8>>| i.as_deref().map_or_else(|| "\\N".to_owned(), hex);
        let _ = writeln!(
            buffer,
            "{id}\t{number}\t{mission}\t{service}\t{kind}\t{state}\tgen-account-{account}\t9\t{form}\t{doc}\t{name}\t{pinyin}\t{minor}\t{face}\t{photo}\toffline\t{fee}\tEUR\t3\t{created:?}\t{updated:?}\t{submitted}",
            number = order_number(&country, created, n),
            state = state.code(),
            account = n / 4,
            form = hex(&sealed),
            doc = index(&indexes.document),
            name = index(&indexes.name),
            pinyin = index(&indexes.pinyin),
            minor = mix(n ^ 0x3).is_multiple_of(10),
            face = if mix(n ^ 0xF).is_multiple_of(12) { "skipped" } else { "verified" },
            photo = !mix(n ^ 0x9).is_multiple_of(25),
            fee = 6000 + (mix(n) % 3) * 1000,
            updated = created + Duration::days(2),
            submitted = submitted.map_or_else(|| "\\N".to_owned(), |s| format!("{s:?}")),
        );
        if (n + 1) % BATCH == 0 || n + 1 == count {
            copy.send(std::mem::take(&mut buffer).into_bytes()).await.expect("send");
            if (n + 1) % (BATCH * 50) == 0 {
                eprintln!("{} orders, {:.0} s", n + 1, started.elapsed().as_secs_f64());
            }
        }
    }
    copy.finish().await.expect("orders");
    sqlx::query("SET session_replication_role = DEFAULT").execute(&mut *connection).await.expect("reset");
    for sql in [
        "DELETE FROM order_state_counts",
        "INSERT INTO order_state_counts (mission_id, state, orders) SELECT mission_id, state, COUNT(*) FROM orders GROUP BY mission_id, state",
        "ANALYZE",
    ] {
        sqlx::query(sql).execute(&mut *connection).await.expect("after the load");
    }
    println!("{count} orders and {accounts} accounts in {:.0} s", started.elapsed().as_secs_f64());
}

/// Times `run` `rounds` times (after one warm-up); prints p50 and p99.
async fn time<F, Fut>(label: &str, rounds: u64, mut run: F)
where
    F: FnMut(u64) -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    run(rounds).await;
    let mut samples = Vec::new();
    let mut found = 0;
    for round in 0..rounds {
        let began = Instant::now();
        found += run(round).await;
        samples.push(began.elapsed());
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "| {label} | {:.2} ms | {:.2} ms | {:.1} |",
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        found as f64 / rounds as f64
    );
}

async fn plan(connection: &mut sqlx::PgConnection, label: &str, sql: &str) {
    let lines: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}")))
        .fetch_all(&mut *connection)
        .await
        .expect("explain");
    println!("\n{label}:\n    {}", lines.join("\n    "));
}

async fn measure(url: &str, rounds: u64) {
    let db = Db::connect(url).await.expect("database");
    lingshi_storage::migrate::run(&db).await.expect("migrations (indexes added since the data was made)");
    let Db::Postgres(pool) = &db else { panic!("scale measure reads PostgreSQL") };
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE id LIKE 'gen-order-%'")
        .fetch_one(pool)
        .await
        .expect("count");
    let total = u64::try_from(total).unwrap_or(0).max(1);
    let vault = vault();
    let numbers: Vec<String> = sqlx::query_scalar("SELECT number FROM orders TABLESAMPLE SYSTEM (1) LIMIT 1000")
        .fetch_all(pool)
        .await
        .expect("numbers");
    println!("{total} generated orders; {rounds} rounds each\n");
    println!("| read | p50 | p99 | rows |\n|---|---|---|---|");
    let base = || QueueFilter { mission_id: Some("be-embassy".into()), limit: 50, ..QueueFilter::default() };
    let filters: Vec<(&str, QueueFilter)> = vec![
        ("queue, first page", base()),
        ("queue, newest first", QueueFilter { newest_first: true, ..base() }),
        ("queue, state under review", QueueFilter { state: Some("under_review".into()), ..base() }),
        ("queue, service emergency", QueueFilter { service: Some("emergency".into()), ..base() }),
        (
            "queue, application type",
            QueueFilter { application_type: Some("replacement.passport.replacement".into()), ..base() },
        ),
        ("queue, face skipped", QueueFilter { face_skipped: true, ..base() }),
        ("queue, photo failed", QueueFilter { photo_failed: true, ..base() }),
        ("queue, minors", QueueFilter { minor: true, ..base() }),
        (
            "queue, one week",
            QueueFilter {
                from: Some(Utc::now() - Duration::days(400)),
                until: Some(Utc::now() - Duration::days(393)),
                ..base()
            },
        ),
    ];
    for (label, filter) in &filters {
        time(label, rounds, |_| async { orders::queue(&db, &vault, filter).await.expect("queue").len() }).await;
    }
    time("queue, counts by state", rounds, |_| async {
        orders::counts_by_state(&db, Some("be-embassy")).await.expect("counts").len()
    })
    .await;
    time("search, order number", rounds, |round| {
        let number = numbers[usize::try_from(round).unwrap_or(0) % numbers.len().max(1)].clone();
        let filter = QueueFilter { mission_id: None, number: Some(number), ..base() };
        let db = &db;
        let vault = &vault;
        async move { orders::queue(db, vault, &filter).await.expect("search").len() }
    })
    .await;
    time("search, document number", rounds, |round| {
        let index = vault.blind_index(DOCUMENT_INDEX_FIELD, &passport(mix(round) % total));
        let filter = QueueFilter { mission_id: None, document_index: Some(index), ..base() };
        let (db, vault) = (&db, &vault);
        async move { orders::queue(db, vault, &filter).await.expect("search").len() }
    })
    .await;
    time("search, name", rounds, |round| {
        let (surname, given, ..) = person(mix(round) % total);
        let index = vault.blind_index(NAME_INDEX_FIELD, &name_key(&format!("{surname}{given}")));
        let filter = QueueFilter { mission_id: None, name_index: Some(index), ..base() };
        let (db, vault) = (&db, &vault);
        async move { orders::queue(db, vault, &filter).await.expect("search").len() }
    })
    .await;
    time("applicant: my orders", rounds, |round| {
        let account = format!("gen-account-{}", mix(round) % total.div_ceil(4));
        let (db, vault) = (&db, &vault);
        async move { orders::list_for_submitter(db, vault, &account).await.expect("mine").len() }
    })
    .await;
    time("applicant: one order's status", rounds, |round| {
        let n = mix(round) % total;
        let (id, account) = (format!("gen-order-{n:010}"), format!("gen-account-{}", n / 4));
        let (db, vault) = (&db, &vault);
        async move {
            let order = orders::find_for_submitter(db, vault, &id, &account).await.expect("order");
            let events = orders::events(db, vault, &id).await.expect("events");
            let files = orders::files(db, vault, &id).await.expect("files");
            usize::from(order.is_some()) + events.len() + files.len()
        }
    })
    .await;
    // A prepared statement lives on one connection: the plans are asked on the same one.
    let mut connection = pool.acquire().await.expect("connection");
    for (name, searching) in [("browse", false), ("search", true)] {
        let types = orders::QUEUE_BIND_TYPES[usize::from(searching)];
        let prepared = format!("PREPARE {name} ({types}) AS {}", orders::queue_sql(searching, false));
        sqlx::raw_sql(sqlx::AssertSqlSafe(prepared)).execute(&mut *connection).await.expect("prepare");
    }
    let filters = "'be-embassy', NULL, NULL, NULL, FALSE, FALSE, FALSE, NULL, NULL";
    let number = numbers.first().cloned().unwrap_or_default();
    let (surname, given, ..) = person(0);
    let name = hex(&vault.blind_index(NAME_INDEX_FIELD, &name_key(&format!("{surname}{given}"))));
    let name = &name[1..]; // one backslash less than COPY's text format wants
    plan(&mut connection, "queue, first page", &format!("EXECUTE browse({filters}, 50, 0)")).await;
    plan(&mut connection, "search, order number", &format!("EXECUTE search({filters}, '{number}', NULL, NULL, 50, 0)"))
        .await;
    plan(&mut connection, "search, name", &format!("EXECUTE search({filters}, NULL, NULL, '{name}', 50, 0)")).await;
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [_, "generate", url, count] => generate(url, count.parse().expect("ORDERS")).await,
        [_, "measure", url] => measure(url, 200).await,
        [_, "measure", url, rounds] => measure(url, rounds.parse().expect("ROUNDS")).await,
        _ => {
            eprintln!("usage: scale generate URL ORDERS | scale measure URL [ROUNDS]");
            std::process::exit(2);
        }
    }
}
