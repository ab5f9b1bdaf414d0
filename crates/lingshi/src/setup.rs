//! Putting the platform together from its configuration: logging, the database (migrated
//! and seeded), the adapters, the HTTP server and the background tasks.

use crate::config::Config;
use anyhow::Context;
use lingshi_integrations::dkim::DkimSigner;
use lingshi_integrations::mail::{FileMailer, Mailer, SmtpMailer};
use lingshi_integrations::payments::alipay::AlipayPay;
use lingshi_integrations::payments::alipay_simulator::AlipaySimulator;
use lingshi_integrations::payments::wechat::WechatPay;
use lingshi_integrations::payments::wechat_simulator::WechatSimulator;
use lingshi_integrations::payments::{PaymentProvider, Provider};
use lingshi_integrations::pension::SigningKey;
use lingshi_integrations::pension_simulator::{Behaviour, Department};
use lingshi_integrations::smpp::SmppSender;
use lingshi_integrations::sms::DevSmsOutbox;
use lingshi_storage::blobs::BlobStore;
use lingshi_storage::{Db, MasterKey, Vault, migrate, seed};
use lingshi_web::service::detecting_verifier::DetectingVerifier;
use lingshi_web::state::PaymentSettings;
use lingshi_web::{Adapters, AppState, Settings};
use std::net::SocketAddr;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

pub fn init_tracing(filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_target(false).init();
}

/// Connects to the configured database, creating the data directory for SQLite.
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create LINGSHI_DATA_DIR {}", config.data_dir.display()))?;
    Db::connect(&config.database_url).await.context("cannot open DATABASE_URL")
}

/// Opens, migrates and seeds the missions directory.
pub async fn prepare_database(config: &Config) -> anyhow::Result<Db> {
    let db = open_database(config).await?;
    migrate::run(&db).await.context("migrations failed")?;
    seed::seed_missions(&db).await.context("seeding missions failed")?;
    Ok(db)
}

/// Refuses to go on when the configured SQLite database does not exist: an admin command or
/// `migrate` must not turn a mistyped `LINGSHI_DATA_DIR` into a new, empty database (where
/// `audit-verify` would find an intact chain of no rows); only `serve` and `demo` create one.
pub fn ensure_database_exists(config: &Config) -> anyhow::Result<()> {
    if let Some(path) = lingshi_storage::db::sqlite_file(&config.database_url)
        && !path.exists()
    {
        anyhow::bail!(
            "no database at {}: check LINGSHI_DATA_DIR or DATABASE_URL (only `lingshi serve`, `lingshi demo` and `lingshi admin restore` create one)",
            path.display()
        );
    }
    Ok(())
}

/// Creates the demo mission administrator on first run and prints its credentials once.
pub async fn announce_demo_admin(db: &Db) -> anyhow::Result<()> {
    match lingshi_web::service::staff::ensure_demo_admin(db).await? {
        Some(password) => {
            println!("Demo staff account for the Embassy in Belgium (shown once):");
            println!("  username: {}", lingshi_web::service::staff::DEMO_ADMIN);
            println!("  password: {password}");
            println!("  sign in at /staff/login");
        }
        None => println!(
            "Demo staff account {} already exists (its password was printed when it was created).",
            lingshi_web::service::staff::DEMO_ADMIN
        ),
    }
    Ok(())
}

/// The master key in force. Refuses while a key rotation is unfinished: part of the data is
/// already under the next key, and only `lingshi admin rotate-key` handles both.
pub fn master_key(config: &Config) -> anyhow::Result<MasterKey> {
    if crate::rotation::unfinished(config) {
        anyhow::bail!("a master-key rotation is unfinished: run `lingshi admin rotate-key` again to finish it");
    }
    match &config.master_key {
        Some(key) => Ok(key.clone()),
        None => MasterKey::load_or_create(&config.data_dir.join("master.key"))
            .context("cannot read or create the master key"),
    }
}

/// The file store: the object store `LINGSHI_BLOB_URL` names (reached with the process's
/// `AWS_*` variables), or `$LINGSHI_DATA_DIR/files`. A bucket that cannot be reached stops
/// the start here, with the reason.
pub async fn open_blobs(config: &Config) -> anyhow::Result<BlobStore> {
    match &config.blob_url {
        Some(url) => BlobStore::open_url(url, std::env::vars())
            .await
            .with_context(|| format!("cannot use the file store LINGSHI_BLOB_URL={url}")),
        None => Ok(BlobStore::open(&config.data_dir.join("files"))?),
    }
}

fn mailer(config: &Config) -> anyhow::Result<Arc<dyn Mailer>> {
    let dkim = match &config.dkim {
        Some((domain, selector, key)) => Some(Arc::new(
            DkimSigner::from_file(domain, selector, key).context("LINGSHI_DKIM_KEY_FILE / LINGSHI_DKIM_DOMAIN")?,
        )),
        None => None,
    };
    Ok(match &config.smtp_url {
        Some(url) => {
            let mailer = SmtpMailer::from_url(url, &config.mail_from).context("LINGSHI_SMTP_URL")?;
            Arc::new(match dkim {
                Some(signer) => mailer.with_dkim(signer),
                None => mailer,
            })
        }
        None => {
            let directory = config.data_dir.join("mail");
            tracing::warn!(mail.directory = %directory.display(), "no LINGSHI_SMTP_URL: development mail sink, messages are written to files");
            let mailer = FileMailer::new(directory, &config.mail_from).context("LINGSHI_MAIL_FROM")?;
            Arc::new(match dkim {
                Some(signer) => mailer.with_dkim(signer),
                None => mailer,
            })
        }
    })
}

/// In demo mode with no department configured, the simulated department takes every
/// province's certifications (approving each by callback a few seconds after the push);
/// pages say it is a simulation. Returns it, for the callback address to be set.
async fn simulated_pension_departments(
    config: &Config,
    settings: &mut lingshi_web::state::PensionSettings,
) -> anyhow::Result<Option<Department>> {
    if !config.demo || !settings.departments.is_empty() {
        return Ok(None);
    }
    let mut secret = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut secret)
        .map_err(|_| anyhow::anyhow!("no randomness for the simulated department's secret"))?;
    settings.key = SigningKey::new(&secret);
    let department = Department::new(settings.key.clone(), Behaviour::Approve, std::time::Duration::from_secs(3));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("simulated pension department")?;
    let url = department.serve(listener)?;
    for region in lingshi_domain::region::ALL {
        settings.departments.insert(region.code.to_owned(), url.clone());
    }
    settings.simulated = true;
    println!("Demo mode: pension certifications go to a simulated social-security department at {url}");
    Ok(Some(department))
}

/// The translation service: the configured LibreTranslate server, or in demo mode the
/// simulator (labelled as such on the page); none otherwise.
async fn translation_settings(config: &Config) -> anyhow::Result<lingshi_web::state::TranslationSettings> {
    use lingshi_integrations::translate::LibreTranslate;
    use lingshi_integrations::translate_simulator::{Behaviour, TranslationServer};
    let (url, simulated) = match &config.translate_url {
        Some(url) => (url.clone(), false),
        None if config.demo => {
            let listener =
                tokio::net::TcpListener::bind("127.0.0.1:0").await.context("the translation simulator's port")?;
            let url = TranslationServer::new(Behaviour::Translate, None).serve(listener)?;
            println!("Demo mode: online translation is a simulated LibreTranslate server at {url}");
            (url, true)
        }
        None => return Ok(lingshi_web::state::TranslationSettings::default()),
    };
    let client = LibreTranslate::new(&url, config.translate_api_key.clone()).context("LINGSHI_TRANSLATE_URL")?;
    Ok(lingshi_web::state::TranslationSettings { translator: Some(Arc::new(client)), simulated })
}

/// The payment providers: each configured merchant, or in demo mode each provider's
/// simulator (its keys made now, its payer page linked from the pages, labelled as a
/// simulation). Notifications go to `notify_base`.
async fn payment_settings(config: &Config, notify_base: String) -> anyhow::Result<PaymentSettings> {
    let mut settings = PaymentSettings::none();
    settings.notify_base = notify_base;
    settings.rates_source = config.rates_source.clone();
    let timeout = std::time::Duration::from_secs(10);
    for client in configured_providers(config)? {
        settings.providers.insert(client.provider(), client);
    }
    if config.wechat.is_none() && config.demo {
        let simulator = WechatSimulator::new(1).map_err(|e| anyhow::anyhow!("WeChat Pay simulator: {e}"))?;
        let url = simulator.serve(simulator_listener().await?)?;
        let client = WechatPay::new(simulator.merchant_config(timeout))
            .map_err(|e| anyhow::anyhow!("WeChat Pay simulator: {e}"))?;
        settings.providers.insert(Provider::WechatPay, Arc::new(client));
        settings.simulators.insert(Provider::WechatPay, url.clone());
        println!("Demo mode: WeChat Pay is a simulator at {url} (no money moves)");
    }
    if config.alipay.is_none() && config.demo {
        let simulator = AlipaySimulator::new(1).map_err(|e| anyhow::anyhow!("Alipay simulator: {e}"))?;
        let url = simulator.serve(simulator_listener().await?)?;
        let path = lingshi_web::service::payments::notification_path(Provider::Alipay);
        let client = AlipayPay::new(simulator.merchant_config(&path, timeout))
            .map_err(|e| anyhow::anyhow!("Alipay simulator: {e}"))?;
        settings.providers.insert(Provider::Alipay, Arc::new(client));
        settings.simulators.insert(Provider::Alipay, url.clone());
        println!("Demo mode: Alipay is a simulator at {url} (no money moves)");
    }
    Ok(settings)
}

/// The clients of the merchants the configuration names (no simulator).
pub fn configured_providers(config: &Config) -> anyhow::Result<Vec<Arc<dyn PaymentProvider>>> {
    let mut providers: Vec<Arc<dyn PaymentProvider>> = Vec::new();
    if let Some(wechat) = &config.wechat {
        providers.push(Arc::new(WechatPay::new(wechat.clone()).context("LINGSHI_WECHATPAY_BASE_URL")?));
    }
    if let Some(alipay) = &config.alipay {
        providers.push(Arc::new(AlipayPay::new(alipay.clone()).context("LINGSHI_ALIPAY_BASE_URL")?));
    }
    Ok(providers)
}

async fn simulator_listener() -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind("127.0.0.1:0").await.context("a payment simulator's port")
}

/// The address the platform's own simulators call back: its listening address, with an
/// unspecified host (`0.0.0.0`) read as loopback.
fn callback_base(listening: SocketAddr) -> String {
    let host = if listening.ip().is_unspecified() { std::net::Ipv4Addr::LOCALHOST.into() } else { listening.ip() };
    format!("http://{}", SocketAddr::new(host, listening.port()))
}

/// The mission's SMS gateway over SMPP, its receipts recorded as they come; without one,
/// the development outbox.
fn sms_sender(config: &Config, db: &lingshi_storage::Db) -> Arc<dyn lingshi_integrations::sms::SmsSender> {
    match &config.smpp {
        Some(smpp) => {
            println!("Text messages: SMPP gateway {} (sender {})", smpp.address, smpp.source);
            let (sender, receipts) = SmppSender::start(smpp.clone());
            tokio::spawn(lingshi_integrations::smpp::record_receipts(db.clone(), receipts));
            Arc::new(sender)
        }
        None => Arc::new(DevSmsOutbox::new(db.clone())),
    }
}

/// Runs the platform until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let db = prepare_database(&config).await?;
    // Production has no demo account: staff are created with `lingshi admin create-staff`.
    if config.demo {
        announce_demo_admin(&db).await?;
        if lingshi_web::service::interviews::slots::seed_demo(&db).await? {
            println!(
                "Demo mode: video-interview slots published for the Embassy in Belgium (weekdays 10:00 and 15:00)"
            );
        }
    }
    let vault = Vault::new(&master_key(&config)?);
    let blobs = open_blobs(&config).await?;
    let adapters =
        Adapters { mailer: mailer(&config)?, sms: sms_sender(&config, &db), face: Arc::new(DetectingVerifier) };
    let mut pension = config.pension.clone();
    let department = simulated_pension_departments(&config, &mut pension).await?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("cannot listen on LINGSHI_ADDR {}", config.addr))?;
    let local = callback_base(listener.local_addr()?);
    let payments = payment_settings(&config, config.public_url.clone().unwrap_or_else(|| local.clone())).await?;
    let settings = Settings {
        secure_cookies: config.secure_cookies,
        trust_forwarded_for: config.trust_forwarded_for,
        photo_limits: lingshi_photo::IntakeLimits::PHOTO.with_max_bytes(config.photo_max_bytes),
        public_url: config.public_url.clone(),
        pension,
        supplement_mail: config.supplement_mail.clone(),
        interviews: config.interviews.clone(),
        translation: translation_settings(&config).await?,
        payments,
        claim_idle: config.claim_idle,
        zone_reader: zone_reader(&config),
    };
    let mut state = AppState::assemble(db.clone(), vault, blobs, adapters, settings)?;
    if let Some(url) = &config.database_read_url {
        let replica = lingshi_storage::replica::Replica::connect(url)
            .await
            .context("cannot connect to the read replica DATABASE_READ_URL")?;
        let replica = Arc::new(replica);
        tokio::spawn(lingshi_web::read_after::watch(replica.clone()));
        state.parts_mut().replica = Some(replica);
        println!("Lag-tolerant reads (staff queue, dashboard) go to the read replica");
    }
    start_payment_tasks(&state, config.demo).await;
    lingshi_web::health::prometheus();
    let jobs = tokio::spawn(lingshi_web::jobs::run_forever(state.clone()));
    tokio::spawn(lingshi_web::signalling::relay_forever(state.clone()));
    tokio::spawn(purge_sessions(db.clone()));
    let days = i64::try_from(config.biometric_retention_days).unwrap_or(90);
    let retention = lingshi_web::service::retention::RetentionPolicy { biometric: chrono::Duration::days(days) };
    tokio::spawn(lingshi_web::service::retention::run_forever(state.clone(), retention));
    if let Some(addr) = config.inbound_smtp_addr {
        let inbound = std::net::TcpListener::bind(addr)
            .with_context(|| format!("cannot listen on LINGSHI_INBOUND_SMTP_ADDR {addr}"))?;
        let (sink, inbox) = tokio::sync::mpsc::channel(16);
        lingshi_integrations::inbound::serve(inbound, "lingshi", sink).map_err(anyhow::Error::msg)?;
        tokio::spawn(lingshi_web::service::inbound_mail::run(state.clone(), inbox));
        println!("Supplements by e-mail are taken on smtp://{addr}");
    }
    println!("Lingshi is listening on http://{}", listener.local_addr()?);
    if let Some(department) = department {
        department.set_platform(&local);
    }
    let draining = state.clone();
    let drain = config.drain;
    let stop = async move {
        shutdown_signal().await;
        draining.begin_draining();
        tokio::time::sleep(drain).await;
    };
    crate::http_server::serve(listener, lingshi_web::router(state), config.max_connections, stop).await?;
    if tokio::time::timeout(crate::http_server::SHUTDOWN_GRACE, jobs).await.is_err() {
        tracing::warn!("jobs still running at the end of the grace period: their leases lapse to another node");
    }
    db.close().await;
    Ok(())
}

/// The reference rates (the configured feed every six hours, or the demo's simulated feed
/// once) and the daily reconciliation of each provider's bill.
async fn start_payment_tasks(state: &AppState, demo: bool) {
    use lingshi_web::service::payments::{rates, reconcile};
    match state.settings.payments.rates_source.clone() {
        Some(source) => {
            tokio::spawn(rates::run_forever(state.clone(), source));
        }
        None if demo => match rates::import_demo(state).await {
            Ok(day) => println!("Demo mode: reference rates of {} are simulated", day.date),
            Err(error) => tracing::warn!(error.cause = %error, "demo reference rates not imported"),
        },
        None => {}
    }
    if !state.settings.payments.providers.is_empty() {
        tokio::spawn(reconcile::run_forever(state.clone()));
    }
}

async fn purge_sessions(db: Db) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        if let Err(error) = lingshi_storage::sessions::purge_expired(&db, chrono::Utc::now()).await {
            tracing::error!(error.cause = %error, "purging expired sessions failed");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
    tracing::info!("shutting down");
}

/// The OCR program for passport data pages, if configured and it runs; without it the
/// cross-check is off (the pages say the data page was not read) and the log says why.
fn zone_reader(config: &Config) -> Option<lingshi_photo::Tesseract> {
    let reader = lingshi_photo::Tesseract { program: config.tesseract.clone()?, ..lingshi_photo::Tesseract::default() };
    match reader.check() {
        Ok(version) => {
            tracing::info!(%version, "passport data pages are read with this OCR program");
            Some(reader)
        }
        Err(error) => {
            tracing::warn!(%error, "passport data pages will not be read: install tesseract-ocr or set LINGSHI_TESSERACT");
            None
        }
    }
}
