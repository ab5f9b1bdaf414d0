//! Configuration, read from the environment in one place. Every variable is optional: with
//! none set, Lingshi runs on 127.0.0.1:8080 with an embedded SQLite database under `./data`.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `LINGSHI_ADDR` | `127.0.0.1:8080` | listen address |
//! | `LINGSHI_DATA_DIR` | `./data` | database, files, keys, development mail |
//! | `DATABASE_URL` | `sqlite://$LINGSHI_DATA_DIR/lingshi.db` | `sqlite://…` or `postgres://…` |
//! | `DATABASE_READ_URL` | unset: every read from `DATABASE_URL` | `postgres://…` of a streaming replica (hot standby) of the PostgreSQL database: the staff queue, its counts and the dashboard read there once it has replayed the reader's own last change (`docs/DEPLOYMENT.md`) |
//! | `LINGSHI_MASTER_KEY` | generated into `$LINGSHI_DATA_DIR/master.key` | base64 of 32 bytes; encrypts personal data |
//! | `LINGSHI_NEXT_MASTER_KEY` | generated into `$LINGSHI_DATA_DIR/master.key.next` | the key `admin rotate-key` moves to |
//! | `LINGSHI_SMTP_URL` | unset: mail is written to `$LINGSHI_DATA_DIR/mail/` | `smtp://`, `smtp+starttls://` or `smtps://[user:pass@]host[:port]` |
//! | `LINGSHI_MAIL_FROM` | `Lingshi <noreply@lingshi.localhost>` | sender of outgoing mail |
//! | `LINGSHI_PUBLIC_URL` | unset | public base URL; `https://…` marks cookies Secure |
//! | `LINGSHI_DEMO` | `true` unless `LINGSHI_PUBLIC_URL` is set | demo mode: the demo staff account is created (and printed once), and every external party left unconfigured (pension departments) is served by its simulator, labelled as such on the pages; `false` is production: neither |
//! | `LINGSHI_TRUST_FORWARDED_FOR` | `false` | take the client address from `X-Forwarded-For` (behind a proxy) |
//! | `LINGSHI_PENSION_DEPARTMENTS` | unset: no department connected | `region=https://…;region=https://…`, the social-security departments pension certifications are pushed to |
//! | `LINGSHI_PENSION_SECRET` | required with the above | the secret shared with the departments for request and callback signatures |
//! | `LINGSHI_INBOUND_SMTP_ADDR` | unset: no inbound mail | `host:port` of the SMTP server that takes supplements by e-mail |
//! | `LINGSHI_SUPPLEMENT_MAIL` | required with the above | the address applicants mail to, e.g. `supplement@consular.example` (each order's: `supplement+NUMBER@…`) |
//! | `LINGSHI_WECHATPAY_MCHID` | unset: no WeChat Pay (in demo mode, the simulator) | the cross-border merchant id; with it, all of the following |
//! | `LINGSHI_WECHATPAY_APPID` | required with the above | the app id bound to the merchant |
//! | `LINGSHI_WECHATPAY_SERIAL` | required | serial number of the merchant's API certificate |
//! | `LINGSHI_WECHATPAY_KEY_FILE` | required | the merchant's private key (`apiclient_key.pem`) |
//! | `LINGSHI_WECHATPAY_PLATFORM_KEYS` | required | `serial=path.pem;…`: WeChat Pay's public key(s) by serial or public-key id |
//! | `LINGSHI_WECHATPAY_APIV3_KEY` | required | the 32-character API v3 key (opens notifications) |
//! | `LINGSHI_WECHATPAY_BASE_URL` | `https://apihk.mch.weixin.qq.com` | the API's base URL |
//! | `LINGSHI_ALIPAY_CLIENT_ID` | unset: no Alipay (in demo mode, the simulator) | the Antom client id; with it, the two key files |
//! | `LINGSHI_ALIPAY_KEY_FILE` | required with the above | the merchant's private key registered with Antom |
//! | `LINGSHI_ALIPAY_PUBLIC_KEY_FILE` | required | Antom's public key (verifies answers and notifications) |
//! | `LINGSHI_ALIPAY_KEY_VERSION` | `1` | the version of the merchant key |
//! | `LINGSHI_ALIPAY_BASE_URL` | `https://open-de-global.alipay.com` | the API's base URL (Europe) |
//! | `LINGSHI_ECB_RATES_URL` | unset (demo: the simulated feed) | the ECB's daily reference rates (`https://…/eurofxref-daily.xml` or a file), imported every six hours |
//! | `LINGSHI_TRANSLATE_URL` | unset: no online translation (in demo mode, the simulator) | base URL of a LibreTranslate server the mission hosts (`http://translate.internal:5000`) |
//! | `LINGSHI_TRANSLATE_API_KEY` | unset | the API key that server asks for, if any |
//! | `LINGSHI_DKIM_DOMAIN` | unset: mail goes unsigned | the domain mail is signed for (`d=`); with it, the two below |
//! | `LINGSHI_DKIM_SELECTOR` | required with the above | the selector whose TXT record `<selector>._domainkey.<domain>` holds the public key |
//! | `LINGSHI_DKIM_KEY_FILE` | required with the above | the RSA private key, PEM (PKCS#1 or PKCS#8) |
//! | `LINGSHI_SMPP_URL` | unset: text messages go to the development outbox | the mission's SMS gateway, `smpp://system_id:password@host:port?source=…[&system_type=…&window=…&enquire_link_secs=…]` |
//! | `LINGSHI_PHOTO_MAX_MB` | `5` | largest passport photo or face capture accepted, 1–50 MB |
//! | `LINGSHI_BIOMETRIC_RETENTION_DAYS` | `90` | days a closed order's face capture and interview snapshots are kept (1–3650) |
//! | `LINGSHI_MAX_CONNECTIONS` | `1024` | HTTP connections served at once (1–65536); more wait to be accepted |
//! | `LINGSHI_BLOB_URL` | unset: files in `$LINGSHI_DATA_DIR/files` | `s3://bucket[/prefix]`: files in an S3-compatible object store every node shares, reached with the usual `AWS_ENDPOINT`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ALLOW_HTTP` (`true` for `http://` endpoints); path-style requests unless `AWS_VIRTUAL_HOSTED_STYLE_REQUEST=true` |
//! | `LINGSHI_DRAIN_SECONDS` | `0` | on SIGTERM, how long the node keeps serving while `/healthz` answers 503 `draining` (0–300), so that a load balancer stops sending it requests before it stops accepting; then requests in flight and the job batch in hand finish (up to 20 s each) |
//! | `LINGSHI_CLAIM_IDLE_MINUTES` | `30` | how long an officer's claim on an order (我来处理) lasts without their working on it (1–10080) |
//! | `LINGSHI_LOG` | `info` | log filter, e.g. `lingshi=debug,info` |

use lingshi_photo::IntakeLimits;
use lingshi_storage::MasterKey;
use std::net::SocketAddr;
use std::path::PathBuf;

/// A variable that is set but unusable; the message names it.
#[derive(Debug, thiserror::Error)]
#[error("configuration variable {variable}: {reason}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub reason: String,
}

pub(crate) fn invalid(variable: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError { variable, reason: reason.into() }
}

/// The platform's configuration.
#[derive(Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    /// A PostgreSQL replica for lag-tolerant reads.
    pub database_read_url: Option<String>,
    pub master_key: Option<MasterKey>,
    /// The key a rotation moves to, when the master key comes from the environment.
    pub next_master_key: Option<MasterKey>,
    pub smtp_url: Option<String>,
    /// The object store files are kept in (`s3://…`); unset: the data directory.
    pub blob_url: Option<String>,
    pub mail_from: String,
    pub secure_cookies: bool,
    pub trust_forwarded_for: bool,
    pub public_url: Option<String>,
    /// Demo mode: simulators stand in for the external parties left unconfigured.
    pub demo: bool,
    pub pension: lingshi_web::state::PensionSettings,
    pub inbound_smtp_addr: Option<SocketAddr>,
    pub supplement_mail: Option<String>,
    pub photo_max_bytes: usize,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// Days a closed order's face capture and interview snapshots are kept.
    pub biometric_retention_days: usize,
    /// How long the node keeps serving, reported as draining, once asked to stop.
    pub drain: std::time::Duration,
    /// How long a claim on an order lasts without its holder working on it.
    pub claim_idle: chrono::Duration,
    /// The OCR program that reads passport data pages (`LINGSHI_TESSERACT`); `None` when
    /// set to `off`.
    pub tesseract: Option<std::path::PathBuf>,
    pub log_filter: String,
    /// The WeChat Pay merchant, when configured.
    pub wechat: Option<lingshi_integrations::payments::wechat::WechatConfig>,
    /// The Alipay (Antom) merchant, when configured.
    pub alipay: Option<lingshi_integrations::payments::alipay::AlipayConfig>,
    pub rates_source: Option<String>,
    /// Video interviews: cut-off, reminder, ICE servers.
    pub interviews: lingshi_web::state::InterviewSettings,
    /// The LibreTranslate server behind 在线翻译, and its API key.
    pub translate_url: Option<String>,
    pub translate_api_key: Option<String>,
    /// The SMS gateway (SMSC), when configured.
    pub smpp: Option<lingshi_integrations::smpp::SmppConfig>,
    /// DKIM signing: domain, selector and the key file, when configured.
    pub dkim: Option<(String, String, PathBuf)>,
}

/// The whole number in `variable`, if set, within `range`.
fn whole_number(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    range: std::ops::RangeInclusive<usize>,
) -> Result<Option<usize>, ConfigError> {
    let Some(text) = get(variable) else { return Ok(None) };
    match text.trim().parse::<usize>() {
        Ok(number) if range.contains(&number) => Ok(Some(number)),
        _ => {
            Err(invalid(variable, format!("{text:?} is not a whole number from {} to {}", range.start(), range.end())))
        }
    }
}

/// `region=url;region=url` and the shared secret.
fn pension_settings(
    departments: Option<String>,
    secret: Option<String>,
) -> Result<lingshi_web::state::PensionSettings, ConfigError> {
    let mut settings = lingshi_web::state::PensionSettings::none();
    let Some(list) = departments else { return Ok(settings) };
    for entry in list.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        let (region, url) = entry
            .split_once('=')
            .filter(|(region, url)| {
                region.len() == 6
                    && region.bytes().all(|b| b.is_ascii_digit())
                    && (url.starts_with("https://") || url.starts_with("http://"))
            })
            .ok_or_else(|| invalid("LINGSHI_PENSION_DEPARTMENTS", format!("{entry:?} is not region=https://…")))?;
        settings.departments.insert(region.to_owned(), url.trim_end_matches('/').to_owned());
    }
    let secret = secret.filter(|s| s.len() >= 16).ok_or_else(|| {
        invalid("LINGSHI_PENSION_SECRET", "needed with LINGSHI_PENSION_DEPARTMENTS, at least 16 characters")
    })?;
    settings.key = lingshi_integrations::pension::SigningKey::new(secret.as_bytes());
    Ok(settings)
}

impl Config {
    /// Reads the configuration through `lookup` (the process environment in production).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let addr = match get("LINGSHI_ADDR") {
            Some(text) => text
                .trim()
                .parse()
                .map_err(|_| invalid("LINGSHI_ADDR", format!("{text:?} is not host:port, e.g. 127.0.0.1:8080")))?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let data_dir = PathBuf::from(get("LINGSHI_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url =
            get("DATABASE_URL").unwrap_or_else(|| format!("sqlite://{}", data_dir.join("lingshi.db").display()));
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(invalid("DATABASE_URL", "must start with sqlite:// or postgres://"));
        }
        let key = |name: &'static str| {
            get(name).map(|text| MasterKey::from_base64(&text).map_err(|e| invalid(name, e.to_string()))).transpose()
        };
        let master_key = key("LINGSHI_MASTER_KEY")?;
        let next_master_key = key("LINGSHI_NEXT_MASTER_KEY")?;
        let database_read_url = get("DATABASE_READ_URL");
        if let Some(url) = &database_read_url
            && !(database_url.starts_with("postgres") && url.starts_with("postgres"))
        {
            return Err(invalid(
                "DATABASE_READ_URL",
                "a replica needs DATABASE_URL and DATABASE_READ_URL both postgres://…",
            ));
        }
        let blob_url = get("LINGSHI_BLOB_URL");
        if let Some(url) = &blob_url
            && url.strip_prefix("s3://").is_none_or(|bucket| bucket.trim_matches('/').is_empty())
        {
            return Err(invalid("LINGSHI_BLOB_URL", format!("{url:?} is not s3://bucket or s3://bucket/prefix")));
        }
        let smtp_url = get("LINGSHI_SMTP_URL");
        if let Some(url) = &smtp_url
            && !["smtp://", "smtp+starttls://", "smtps://"].iter().any(|s| url.starts_with(s))
        {
            return Err(invalid("LINGSHI_SMTP_URL", "must start with smtp://, smtp+starttls:// or smtps://"));
        }
        let public_url = get("LINGSHI_PUBLIC_URL");
        if let Some(url) = &public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(invalid("LINGSHI_PUBLIC_URL", "must start with http:// or https://"));
        }
        let trust_forwarded_for = match get("LINGSHI_TRUST_FORWARDED_FOR").as_deref().map(str::trim) {
            None | Some("false" | "0" | "no") => false,
            Some("true" | "1" | "yes") => true,
            Some(other) => {
                return Err(invalid("LINGSHI_TRUST_FORWARDED_FOR", format!("{other:?} is not true or false")));
            }
        };
        let demo = match get("LINGSHI_DEMO").as_deref().map(str::trim) {
            None => public_url.is_none(),
            Some("true" | "1" | "yes") => true,
            Some("false" | "0" | "no") => false,
            Some(other) => return Err(invalid("LINGSHI_DEMO", format!("{other:?} is not true or false"))),
        };
        let photo_max_bytes = match whole_number(&get, "LINGSHI_PHOTO_MAX_MB", 1..=50)? {
            None => IntakeLimits::PHOTO.max_bytes,
            Some(megabytes) => megabytes * 1024 * 1024,
        };
        let max_connections = whole_number(&get, "LINGSHI_MAX_CONNECTIONS", 1..=65_536)?.unwrap_or(1024);
        let biometric_retention_days = whole_number(&get, "LINGSHI_BIOMETRIC_RETENTION_DAYS", 1..=3650)?.unwrap_or(90);
        let drain_seconds = whole_number(&get, "LINGSHI_DRAIN_SECONDS", 0..=300)?.unwrap_or(0);
        let claim_idle_minutes = whole_number(&get, "LINGSHI_CLAIM_IDLE_MINUTES", 1..=10_080)?.unwrap_or(30);
        let claim_idle = chrono::Duration::minutes(i64::try_from(claim_idle_minutes).unwrap_or(30));
        let tesseract = match get("LINGSHI_TESSERACT").as_deref().map(str::trim) {
            None | Some("") => Some(std::path::PathBuf::from("tesseract")),
            Some("off") => None,
            Some(program) => Some(std::path::PathBuf::from(program)),
        };
        let drain = std::time::Duration::from_secs(u64::try_from(drain_seconds).unwrap_or(0));
        let pension = pension_settings(get("LINGSHI_PENSION_DEPARTMENTS"), get("LINGSHI_PENSION_SECRET"))?;
        let inbound_smtp_addr = get("LINGSHI_INBOUND_SMTP_ADDR")
            .map(|text| {
                text.trim()
                    .parse::<SocketAddr>()
                    .map_err(|_| invalid("LINGSHI_INBOUND_SMTP_ADDR", format!("{text:?} is not host:port")))
            })
            .transpose()?;
        let supplement_mail = get("LINGSHI_SUPPLEMENT_MAIL").map(|m| m.trim().to_owned());
        if inbound_smtp_addr.is_some() && !supplement_mail.as_deref().is_some_and(|m| m.contains('@')) {
            return Err(invalid(
                "LINGSHI_SUPPLEMENT_MAIL",
                "needed with LINGSHI_INBOUND_SMTP_ADDR: an address like supplement@consular.example",
            ));
        }
        let wechat = crate::payment_config::wechat(&get)?;
        let alipay = crate::payment_config::alipay(&get, public_url.as_deref())?;
        let interviews = crate::interview_config::interviews(&get)?;
        let translate_url = get("LINGSHI_TRANSLATE_URL").map(|u| u.trim().to_owned());
        if let Some(url) = &translate_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(invalid("LINGSHI_TRANSLATE_URL", "must start with http:// or https://"));
        }
        let smpp = get("LINGSHI_SMPP_URL")
            .map(|url| lingshi_integrations::smpp::SmppConfig::from_url(&url))
            .transpose()
            .map_err(|e| invalid("LINGSHI_SMPP_URL", e.0))?;
        let dkim = match (get("LINGSHI_DKIM_DOMAIN"), get("LINGSHI_DKIM_SELECTOR"), get("LINGSHI_DKIM_KEY_FILE")) {
            (None, None, None) => None,
            (Some(domain), Some(selector), Some(key)) => Some((domain, selector, PathBuf::from(key))),
            _ => {
                return Err(invalid(
                    "LINGSHI_DKIM_DOMAIN",
                    "LINGSHI_DKIM_DOMAIN, LINGSHI_DKIM_SELECTOR and LINGSHI_DKIM_KEY_FILE go together",
                ));
            }
        };
        Ok(Self {
            dkim,
            smpp,
            translate_url,
            translate_api_key: get("LINGSHI_TRANSLATE_API_KEY"),
            addr,
            interviews,
            wechat,
            alipay,
            rates_source: get("LINGSHI_ECB_RATES_URL").map(|s| s.trim().to_owned()),
            pension,
            inbound_smtp_addr,
            supplement_mail,
            data_dir,
            database_url,
            master_key,
            next_master_key,
            smtp_url,
            blob_url,
            database_read_url,
            mail_from: get("LINGSHI_MAIL_FROM").unwrap_or_else(|| "Lingshi <noreply@lingshi.localhost>".into()),
            max_connections,
            biometric_retention_days,
            drain,
            claim_idle,
            tesseract,
            secure_cookies: public_url.as_deref().is_some_and(|u| u.starts_with("https://")),
            public_url: public_url.map(|u| u.trim_end_matches('/').to_owned()),
            demo,
            trust_forwarded_for,
            photo_max_bytes,
            log_filter: get("LINGSHI_LOG").unwrap_or_else(|| "info".into()),
        })
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn nothing_set_means_embedded_sqlite_on_localhost() {
        let c = config(&[]).expect("defaults");
        assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url, "sqlite://./data/lingshi.db");
        assert!(!c.secure_cookies && c.smtp_url.is_none() && c.master_key.is_none());
        assert!(c.demo, "the two-command start is the demo");
    }

    #[test]
    fn a_public_url_means_production_unless_demo_is_asked_for() {
        assert!(!config(&[("LINGSHI_PUBLIC_URL", "https://consular.example")]).expect("production").demo);
        let asked = config(&[("LINGSHI_PUBLIC_URL", "https://demo.example"), ("LINGSHI_DEMO", "true")]);
        assert!(asked.expect("demo").demo);
        assert!(!config(&[("LINGSHI_DEMO", "false")]).expect("production").demo);
    }

    #[test]
    fn each_bad_variable_is_named_in_the_error() {
        for (variable, value) in [
            ("LINGSHI_ADDR", "localhost"),
            ("DATABASE_URL", "mysql://x"),
            ("LINGSHI_MASTER_KEY", "short"),
            ("LINGSHI_SMTP_URL", "http://mail"),
            ("LINGSHI_PUBLIC_URL", "example.org"),
            ("LINGSHI_TRUST_FORWARDED_FOR", "maybe"),
            ("LINGSHI_DEMO", "perhaps"),
            ("LINGSHI_PHOTO_MAX_MB", "0"),
            ("LINGSHI_PENSION_DEPARTMENTS", "beijing=https://x"),
            ("LINGSHI_INBOUND_SMTP_ADDR", "mail"),
            ("LINGSHI_PHOTO_MAX_MB", "5MB"),
            ("LINGSHI_MAX_CONNECTIONS", "0"),
            ("LINGSHI_BIOMETRIC_RETENTION_DAYS", "forever"),
        ] {
            let error = config(&[(variable, value)]).expect_err(variable);
            assert_eq!(error.variable, variable);
            assert!(error.to_string().contains(variable));
        }
    }

    #[test]
    fn pension_departments_are_read_by_region_with_their_secret() {
        let c = config(&[
            ("LINGSHI_PENSION_DEPARTMENTS", "110000=https://hrss.example/api/; 310000=http://127.0.0.1:9000"),
            ("LINGSHI_PENSION_SECRET", "a secret of sixteen+"),
        ])
        .expect("ok");
        assert_eq!(c.pension.departments.get("110000").map(String::as_str), Some("https://hrss.example/api"));
        assert_eq!(c.pension.departments.len(), 2);
        let missing_secret = config(&[("LINGSHI_PENSION_DEPARTMENTS", "110000=https://hrss.example")]);
        assert!(missing_secret.is_err_and(|e| e.variable == "LINGSHI_PENSION_SECRET"));
    }

    #[test]
    fn inbound_mail_needs_the_address_applicants_write_to() {
        let without = config(&[("LINGSHI_INBOUND_SMTP_ADDR", "127.0.0.1:2525")]);
        assert!(without.is_err_and(|e| e.variable == "LINGSHI_SUPPLEMENT_MAIL"));
        let with = config(&[
            ("LINGSHI_INBOUND_SMTP_ADDR", "127.0.0.1:2525"),
            ("LINGSHI_SUPPLEMENT_MAIL", "supplement@consular.example"),
        ])
        .expect("ok");
        assert_eq!(with.supplement_mail.as_deref(), Some("supplement@consular.example"));
    }

    #[test]
    fn the_photo_size_limit_is_given_in_megabytes() {
        assert_eq!(config(&[]).expect("defaults").photo_max_bytes, 5 * 1024 * 1024);
        assert_eq!(config(&[("LINGSHI_PHOTO_MAX_MB", "12")]).expect("ok").photo_max_bytes, 12 * 1024 * 1024);
    }

    #[test]
    fn https_public_url_marks_cookies_secure() {
        assert!(config(&[("LINGSHI_PUBLIC_URL", "https://consular.example")]).expect("ok").secure_cookies);
    }
}
