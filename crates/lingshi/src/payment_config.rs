//! The payment providers' merchant settings (`LINGSHI_WECHATPAY_*`, `LINGSHI_ALIPAY_*`),
//! each key file read and checked at start: a bad one stops the start with a message naming
//! its variable, never echoing the file.

use crate::config::{ConfigError, invalid};
use lingshi_integrations::payments::alipay::AlipayConfig;
use lingshi_integrations::payments::keys::{SigningKey, VerifyingKey};
use lingshi_integrations::payments::wechat::{WechatConfig, protocol::ApiV3Key};
use std::time::Duration;

/// How long a provider may take to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The variables of one provider, read through `get`.
struct Variables<'a, G: Fn(&str) -> Option<String>> {
    get: &'a G,
    /// The variable that turns the provider on, named when another is missing.
    switch: &'static str,
}

impl<G: Fn(&str) -> Option<String>> Variables<'_, G> {
    fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        (self.get)(name)
            .map(|v| v.trim().to_owned())
            .ok_or_else(|| invalid(name, format!("needed with {}", self.switch)))
    }

    fn signing_key(&self, name: &'static str) -> Result<SigningKey, ConfigError> {
        SigningKey::from_pem(&read_file(name, &self.required(name)?)?).map_err(|e| invalid(name, e.to_string()))
    }

    fn base_url(&self, name: &'static str, default: &str) -> Result<String, ConfigError> {
        let url = (self.get)(name).unwrap_or_else(|| default.to_owned());
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(invalid(name, "must start with https://"));
        }
        Ok(url.trim().trim_end_matches('/').to_owned())
    }
}

fn read_file(name: &'static str, path: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(path.trim()).map_err(|e| invalid(name, format!("cannot read {}: {e}", path.trim())))
}

fn verifying_key(name: &'static str, path: &str) -> Result<VerifyingKey, ConfigError> {
    VerifyingKey::from_pem(&read_file(name, path)?).map_err(|e| invalid(name, e.to_string()))
}

/// The WeChat Pay merchant, if `LINGSHI_WECHATPAY_MCHID` is set.
pub fn wechat(get: &impl Fn(&str) -> Option<String>) -> Result<Option<WechatConfig>, ConfigError> {
    let Some(mchid) = get("LINGSHI_WECHATPAY_MCHID") else { return Ok(None) };
    let vars = Variables { get, switch: "LINGSHI_WECHATPAY_MCHID" };
    let merchant_key = vars.signing_key("LINGSHI_WECHATPAY_KEY_FILE")?;
    let mut platform_keys = std::collections::BTreeMap::new();
    for entry in vars.required("LINGSHI_WECHATPAY_PLATFORM_KEYS")?.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        let (serial, path) = entry
            .split_once('=')
            .ok_or_else(|| invalid("LINGSHI_WECHATPAY_PLATFORM_KEYS", format!("{entry:?} is not serial=path.pem")))?;
        let key = verifying_key("LINGSHI_WECHATPAY_PLATFORM_KEYS", path)?;
        platform_keys.insert(serial.trim().to_owned(), key);
    }
    if platform_keys.is_empty() {
        return Err(invalid("LINGSHI_WECHATPAY_PLATFORM_KEYS", "no key given"));
    }
    let api_v3_key = ApiV3Key::new(&vars.required("LINGSHI_WECHATPAY_APIV3_KEY")?)
        .ok_or_else(|| invalid("LINGSHI_WECHATPAY_APIV3_KEY", "must be 32 characters"))?;
    Ok(Some(WechatConfig {
        base_url: vars.base_url("LINGSHI_WECHATPAY_BASE_URL", "https://apihk.mch.weixin.qq.com")?,
        mchid: mchid.trim().to_owned(),
        appid: vars.required("LINGSHI_WECHATPAY_APPID")?,
        merchant_serial: vars.required("LINGSHI_WECHATPAY_SERIAL")?,
        merchant_key,
        platform_keys,
        api_v3_key,
        timeout: TIMEOUT,
    }))
}

/// The Alipay (Antom) merchant, if `LINGSHI_ALIPAY_CLIENT_ID` is set. Its notifications are
/// signed for our endpoint's path, under `public_url`'s own path if it has one.
pub fn alipay(
    get: &impl Fn(&str) -> Option<String>,
    public_url: Option<&str>,
) -> Result<Option<AlipayConfig>, ConfigError> {
    let Some(client_id) = get("LINGSHI_ALIPAY_CLIENT_ID") else { return Ok(None) };
    let vars = Variables { get, switch: "LINGSHI_ALIPAY_CLIENT_ID" };
    let merchant_key = vars.signing_key("LINGSHI_ALIPAY_KEY_FILE")?;
    let antom_key = verifying_key("LINGSHI_ALIPAY_PUBLIC_KEY_FILE", &vars.required("LINGSHI_ALIPAY_PUBLIC_KEY_FILE")?)?;
    let key_version = get("LINGSHI_ALIPAY_KEY_VERSION").map_or_else(|| "1".to_owned(), |v| v.trim().to_owned());
    if !key_version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("LINGSHI_ALIPAY_KEY_VERSION", "must be a whole number"));
    }
    let prefix =
        public_url.and_then(|url| url.split_once("://")).and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]));
    let notify_path = format!(
        "{}{}",
        prefix.unwrap_or("").trim_end_matches('/'),
        lingshi_web::service::payments::notification_path(lingshi_integrations::payments::Provider::Alipay)
    );
    Ok(Some(AlipayConfig {
        base_url: vars.base_url("LINGSHI_ALIPAY_BASE_URL", "https://open-de-global.alipay.com")?,
        client_id: client_id.trim().to_owned(),
        merchant_key,
        key_version,
        antom_key,
        notify_path,
        timeout: TIMEOUT,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |name: &str| map.get(name).cloned()
    }

    /// A directory with a bad key file and a key pair of our own making, standing in for
    /// what the merchant platforms issue.
    struct KeyFiles {
        dir: std::path::PathBuf,
        bad: String,
        private: String,
        public: String,
    }

    impl KeyFiles {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("lingshi-{name}-{}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("dir");
            let path = |file: &str| dir.join(file).to_str().expect("path").to_owned();
            let (bad, private, public) = (path("bad.pem"), path("merchant.pem"), path("provider.pem"));
            std::fs::write(&bad, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n").expect("write");
            let (private_pem, public_pem) = lingshi_integrations::payments::keys::generate_pem().expect("keys");
            std::fs::write(&private, private_pem).expect("write");
            std::fs::write(&public, public_pem).expect("write");
            Self { dir, bad, private, public }
        }
    }

    impl Drop for KeyFiles {
        fn drop(&mut self) {
            std::fs::remove_dir_all(&self.dir).ok();
        }
    }

    #[test]
    fn a_wechat_pay_merchant_needs_every_part_and_a_readable_key() {
        let missing = wechat(&lookup(&[("LINGSHI_WECHATPAY_MCHID", "1900000001")]));
        assert!(missing.is_err_and(|e| e.variable == "LINGSHI_WECHATPAY_KEY_FILE"));
        let files = KeyFiles::new("wechat");
        let bad =
            wechat(&lookup(&[("LINGSHI_WECHATPAY_MCHID", "1900000001"), ("LINGSHI_WECHATPAY_KEY_FILE", &files.bad)]));
        let error = bad.expect_err("a bad key file stops the start");
        assert_eq!(error.variable, "LINGSHI_WECHATPAY_KEY_FILE");
        assert!(!error.to_string().contains("not a key"), "the key's content is not echoed");
        let platform = format!("PUB_KEY_ID_1={}", files.public);
        let good = wechat(&lookup(&[
            ("LINGSHI_WECHATPAY_MCHID", "1900000001"),
            ("LINGSHI_WECHATPAY_APPID", "wx0000"),
            ("LINGSHI_WECHATPAY_SERIAL", "ABC"),
            ("LINGSHI_WECHATPAY_KEY_FILE", &files.private),
            ("LINGSHI_WECHATPAY_PLATFORM_KEYS", &platform),
            ("LINGSHI_WECHATPAY_APIV3_KEY", "0123456789abcdef0123456789abcdef"),
        ]))
        .expect("configured")
        .expect("wechat");
        assert_eq!(good.base_url, "https://apihk.mch.weixin.qq.com");
        assert!(!format!("{good:?}").contains("BEGIN"), "no key in Debug output");
    }

    #[test]
    fn an_alipay_merchant_needs_both_keys_and_signs_for_the_public_path() {
        assert!(alipay(&lookup(&[]), None).expect("nothing set").is_none());
        let files = KeyFiles::new("alipay");
        let missing =
            alipay(&lookup(&[("LINGSHI_ALIPAY_CLIENT_ID", "C1"), ("LINGSHI_ALIPAY_KEY_FILE", &files.private)]), None);
        assert!(missing.is_err_and(|e| e.variable == "LINGSHI_ALIPAY_PUBLIC_KEY_FILE"));
        let swapped = alipay(
            &lookup(&[
                ("LINGSHI_ALIPAY_CLIENT_ID", "C1"),
                ("LINGSHI_ALIPAY_KEY_FILE", &files.public),
                ("LINGSHI_ALIPAY_PUBLIC_KEY_FILE", &files.private),
            ]),
            None,
        );
        assert!(swapped.is_err_and(|e| e.variable == "LINGSHI_ALIPAY_KEY_FILE"), "a public key cannot sign");
        let good = alipay(
            &lookup(&[
                ("LINGSHI_ALIPAY_CLIENT_ID", "C1"),
                ("LINGSHI_ALIPAY_KEY_FILE", &files.private),
                ("LINGSHI_ALIPAY_PUBLIC_KEY_FILE", &files.public),
            ]),
            Some("https://consular.example/lingshi/"),
        )
        .expect("configured")
        .expect("alipay");
        assert_eq!(good.notify_path, "/lingshi/api/v1/payments/alipay/notifications");
        assert_eq!((good.base_url.as_str(), good.key_version.as_str()), ("https://open-de-global.alipay.com", "1"));
        assert!(!format!("{good:?}").contains("BEGIN"), "no key in Debug output");
    }
}
