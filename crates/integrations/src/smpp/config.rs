//! Where the mission's SMS gateway is and how to bind to it, read from one URL:
//! `smpp://system_id:password@host:port?system_type=…&source=…&window=…`.

use std::time::Duration;

/// How to reach and bind to an SMSC. Its `Debug` form leaves the password out.
#[derive(Clone, PartialEq, Eq)]
pub struct SmppConfig {
    /// `host:port` of the SMSC (2775 when the URL names no port).
    pub address: String,
    pub system_id: String,
    pub password: String,
    pub system_type: String,
    /// The sender the messages show: digits (a number) or up to 11 letters (a name).
    pub source: String,
    /// How many `submit_sm` may wait for their response at once.
    pub window: usize,
    /// How often an idle session sends `enquire_link`.
    pub enquire_link: Duration,
    /// How long a request may wait for its response before the session is held broken.
    pub response_timeout: Duration,
    /// How long one message may wait for the gateway (reconnecting, throttled) before its
    /// job is retried later by the outbox.
    pub send_timeout: Duration,
}

impl std::fmt::Debug for SmppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmppConfig")
            .field("address", &self.address)
            .field("system_id", &self.system_id)
            .field("system_type", &self.system_type)
            .field("source", &self.source)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

/// Why an SMPP URL was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("LINGSHI_SMPP_URL: {0}")]
pub struct SmppConfigError(pub String);

const DEFAULT_PORT: u16 = 2775;

impl SmppConfig {
    /// Reads `smpp://system_id:password@host[:port][?system_type=…&source=…&window=…]`.
    /// User and password may be percent-encoded; `source` is required.
    pub fn from_url(url: &str) -> Result<Self, SmppConfigError> {
        let refused = |why: &str| SmppConfigError(why.to_owned());
        let parsed = reqwest::Url::parse(url.trim()).map_err(|e| refused(&format!("not a URL ({e})")))?;
        if parsed.scheme() != "smpp" {
            return Err(refused("must start with smpp://"));
        }
        let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or_else(|| refused("names no host"))?;
        let decode =
            |part: &str| percent_decode(part).ok_or_else(|| refused("user or password is not valid percent-encoding"));
        let system_id = decode(parsed.username())?;
        let password = decode(parsed.password().unwrap_or_default())?;
        if system_id.is_empty() || system_id.len() > 15 {
            return Err(refused("the system_id (user) must be 1 to 15 characters"));
        }
        if password.len() > 8 {
            return Err(refused("the password must be at most 8 characters (SMPP 3.4)"));
        }
        let mut config = SmppConfig {
            address: format!("{host}:{}", parsed.port().unwrap_or(DEFAULT_PORT)),
            system_id,
            password,
            system_type: String::new(),
            source: String::new(),
            window: 10,
            enquire_link: Duration::from_secs(30),
            response_timeout: Duration::from_secs(10),
            send_timeout: Duration::from_secs(30),
        };
        for (key, value) in parsed.query_pairs() {
            match key.as_ref() {
                "system_type" if value.len() <= 12 => config.system_type = value.into_owned(),
                "source" if valid_source(&value) => config.source = value.into_owned(),
                "window" => {
                    config.window = value
                        .parse()
                        .ok()
                        .filter(|w| (1..=1000).contains(w))
                        .ok_or_else(|| refused("window must be 1 to 1000"))?
                }
                "enquire_link_secs" => {
                    config.enquire_link = Duration::from_secs(
                        seconds(&value).ok_or_else(|| refused("enquire_link_secs must be 1 to 3600"))?,
                    )
                }
                "system_type" => return Err(refused("system_type must be at most 12 characters")),
                "source" => return Err(refused("source must be up to 20 digits or up to 11 letters and digits")),
                other => return Err(refused(&format!("unknown parameter {other}"))),
            }
        }
        if config.source.is_empty() {
            return Err(refused("names no source (the sender the messages show): add ?source=…"));
        }
        Ok(config)
    }
}

fn seconds(value: &str) -> Option<u64> {
    value.parse().ok().filter(|s| (1..=3600).contains(s))
}

/// A sender is a number (digits, up to 20) or a name (up to 11 letters, digits and spaces).
fn valid_source(source: &str) -> bool {
    let numeric = !source.is_empty() && source.len() <= 20 && source.bytes().all(|b| b.is_ascii_digit());
    let alphanumeric =
        !source.is_empty() && source.len() <= 11 && source.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ');
    numeric || alphanumeric
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_url_is_read() {
        let config = SmppConfig::from_url(
            "smpp://lingshi:s%40cret@smsc.example:2776?system_type=consul&source=CNEmbassy&window=20",
        )
        .expect("valid");
        assert_eq!(config.address, "smsc.example:2776");
        assert_eq!(config.system_id, "lingshi");
        assert_eq!(config.password, "s@cret");
        assert_eq!(config.system_type, "consul");
        assert_eq!(config.source, "CNEmbassy");
        assert_eq!(config.window, 20);
    }

    #[test]
    fn the_port_defaults_to_2775() {
        let config = SmppConfig::from_url("smpp://id:pw@127.0.0.1?source=3225000000").expect("valid");
        assert_eq!(config.address, "127.0.0.1:2775");
    }

    #[test]
    fn bad_urls_say_what_is_wrong() {
        for (url, says) in [
            ("http://id:pw@host?source=1", "smpp://"),
            ("smpp://id:pw@host", "source"),
            ("smpp://:pw@host?source=1", "system_id"),
            ("smpp://id:toolongpassword@host?source=1", "password"),
            ("smpp://id:pw@host?source=1&window=0", "window"),
            ("smpp://id:pw@host?source=This%20name%20is%20long", "source"),
            ("smpp://id:pw@host?source=1&colour=red", "unknown parameter colour"),
        ] {
            let error = SmppConfig::from_url(url).expect_err(url);
            assert!(error.0.contains(says), "{url}: {error}");
        }
    }
}
