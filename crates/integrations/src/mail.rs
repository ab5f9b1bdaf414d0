//! Outgoing mail. `SmtpMailer` speaks SMTP to the configured relay; `FileMailer` writes each
//! message as an `.eml` file, for a machine with no relay. A message is plain text; one with
//! images (a payment notice's QR codes) is also given as HTML showing them inline, each
//! under its label, the text staying as the alternative. Files (an interview's calendar
//! entry) travel as attachments beside the message. Every message carries `Date`,
//! `Message-ID` and `Auto-Submitted: auto-generated`, and a DKIM signature when a
//! [`DkimSigner`] is set.

use crate::dkim::DkimSigner;
use std::sync::Arc;

use async_trait::async_trait;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

/// A plain-text message to one recipient, with images to show inline and files attached.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub images: Vec<InlineImage>,
    pub attachments: Vec<FileAttachment>,
    /// Also as HTML (its links clickable), the text staying as the alternative: a notice.
    pub html: bool,
}

/// A file attached to a message.
#[derive(Debug, Clone)]
pub struct FileAttachment {
    pub filename: String,
    /// Its MIME type, e.g. `text/calendar; charset=utf-8; method=REQUEST`.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A PNG image shown in a message, under its label.
#[derive(Debug, Clone)]
pub struct InlineImage {
    /// Its `Content-ID`: letters, digits and `-` only.
    pub content_id: String,
    pub label: String,
    pub png: Vec<u8>,
}

/// Why a message was not sent. Carries no addresses or content.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the mail could not be built: {0}")]
    Build(String),
    #[error("the relay refused or could not be reached: {0}")]
    Transport(String),
    #[error("LINGSHI_SMTP_URL must look like smtp://host:port, smtp+starttls://host or smtps://host")]
    BadUrl,
}

/// Sends mail.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends `mail`; returns its `Message-ID` (which a bounce quotes back).
    async fn send(&self, mail: &OutgoingMail) -> Result<String, MailError>;
}

/// The `Message-ID` lettre gave `message`.
fn message_id(message: &Message) -> String {
    message.headers().get_raw("Message-ID").unwrap_or_default().trim().to_owned()
}

/// `Auto-Submitted: auto-generated` (RFC 3834): every message here is sent by the platform, so
/// mail systems send no vacation replies to it and do not answer it automatically.
fn auto_submitted() -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-generated".to_owned())
}

fn build(from: &Mailbox, mail: &OutgoingMail, dkim: Option<&DkimSigner>) -> Result<Message, MailError> {
    let to: Mailbox = mail.to.parse().map_err(|_| MailError::Build("recipient".into()))?;
    // lettre adds `Date`; the `Message-ID` is `<uuid@host>`.
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&mail.subject)
        .message_id(None)
        .raw_header(auto_submitted());
    let content_type = |text: &str| ContentType::parse(text).map_err(|e| MailError::Build(e.to_string()));
    let text = if mail.images.is_empty() && !mail.html {
        MultiPart::mixed().singlepart(SinglePart::plain(mail.body.clone()))
    } else if mail.images.is_empty() {
        MultiPart::mixed().multipart(MultiPart::alternative_plain_html(mail.body.clone(), html(mail)))
    } else {
        let png = content_type("image/png")?;
        let related =
            mail.images.iter().fold(MultiPart::related().singlepart(SinglePart::html(html(mail))), |part, image| {
                part.singlepart(Attachment::new_inline(image.content_id.clone()).body(image.png.clone(), png.clone()))
            });
        MultiPart::mixed()
            .multipart(MultiPart::alternative().singlepart(SinglePart::plain(mail.body.clone())).multipart(related))
    };
    let built = if mail.images.is_empty() && mail.attachments.is_empty() && !mail.html {
        builder.header(ContentType::TEXT_PLAIN).body(mail.body.clone())
    } else {
        let mut whole = text;
        for file in &mail.attachments {
            let kind = content_type(&file.content_type)?;
            whole = whole.singlepart(Attachment::new(file.filename.clone()).body(file.bytes.clone(), kind));
        }
        builder.multipart(whole)
    };
    let mut message = built.map_err(|e| MailError::Build(e.to_string()))?;
    if let Some(signer) = dkim {
        signer.sign(&mut message);
    }
    Ok(message)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A paragraph's text, escaped, its `http(s)://` links made clickable (a link runs to the first
/// space or non-ASCII character, trailing punctuation left out).
fn linked(paragraph: &str) -> String {
    let mut html = String::new();
    let mut rest = paragraph;
    while let Some(start) = [rest.find("https://"), rest.find("http://")].into_iter().flatten().min() {
        html.push_str(&escape(&rest[..start]));
        let tail = &rest[start..];
        let length =
            tail.find(|c: char| c.is_whitespace() || !c.is_ascii() || "<>\"".contains(c)).unwrap_or(tail.len());
        let url = tail[..length].trim_end_matches(['.', ',', ')', ';', ':', '!', '?']);
        html.push_str(&format!("<a href=\"{0}\">{0}</a>", escape(url)));
        rest = &tail[url.len()..];
    }
    html.push_str(&escape(rest));
    html
}

/// The HTML of a message: its paragraphs (links clickable), then each image under its label.
fn html(mail: &OutgoingMail) -> String {
    let paragraphs: String =
        mail.body.split("\n\n").map(|p| format!("<p>{}</p>", linked(p).replace('\n', "<br>"))).collect();
    let images: String = mail
        .images
        .iter()
        .map(|image| {
            let label = escape(&image.label);
            format!(
                "<figure><img src=\"cid:{}\" alt=\"{label}\" width=\"240\"><figcaption>{label}</figcaption></figure>",
                image.content_id
            )
        })
        .collect();
    format!("<!doctype html><html><body>{paragraphs}{images}</body></html>")
}

/// Describes an SMTP failure by its class and reply code only: a relay's reply text can
/// quote the recipient's address, which must not reach logs or the job table.
fn describe(error: &lettre::transport::smtp::Error) -> String {
    let class = if error.is_permanent() {
        "permanent SMTP rejection"
    } else if error.is_transient() {
        "transient SMTP failure"
    } else if error.is_timeout() {
        "SMTP timeout"
    } else if error.is_tls() {
        "TLS failure"
    } else {
        "connection or protocol failure"
    };
    match error.status() {
        Some(code) => format!("{class} (reply {code})"),
        None => class.to_owned(),
    }
}

/// Mail over SMTP.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    dkim: Option<Arc<DkimSigner>>,
}

impl SmtpMailer {
    /// `smtp://[user:pass@]host[:port]` (no TLS: a local relay or a test server),
    /// `smtp+starttls://…` (STARTTLS, port 587) or `smtps://…` (implicit TLS, port 465).
    pub fn from_url(url: &str, from: &str) -> Result<Self, MailError> {
        let (scheme, rest) = url.split_once("://").ok_or(MailError::BadUrl)?;
        let (credentials, host_port) = match rest.rsplit_once('@') {
            Some((user_pass, host)) => {
                let (user, pass) = user_pass.split_once(':').ok_or(MailError::BadUrl)?;
                (Some(Credentials::new(user.to_owned(), pass.to_owned())), host)
            }
            None => (None, rest),
        };
        let host_port = host_port.trim_end_matches('/');
        let (host, port) = match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p.parse::<u16>().map_err(|_| MailError::BadUrl)?)),
            None => (host_port, None),
        };
        if host.is_empty() {
            return Err(MailError::BadUrl);
        }
        let mut builder = match scheme {
            "smtp" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(port.unwrap_or(25)),
            "smtp+starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| MailError::Transport(e.to_string()))?
                .port(port.unwrap_or(587)),
            "smtps" => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|e| MailError::Transport(e.to_string()))?
                .port(port.unwrap_or(465)),
            _ => return Err(MailError::BadUrl),
        };
        if let Some(credentials) = credentials {
            builder = builder.credentials(credentials);
        }
        let from = from.parse().map_err(|_| MailError::Build("sender".into()))?;
        Ok(Self { transport: builder.build(), from, dkim: None })
    }

    /// Signs every message with `signer`.
    pub fn with_dkim(self, signer: Arc<DkimSigner>) -> Self {
        Self { dkim: Some(signer), ..self }
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<String, MailError> {
        let message = build(&self.from, mail, self.dkim.as_deref())?;
        let id = message_id(&message);
        self.transport.send(message).await.map_err(|e| MailError::Transport(describe(&e)))?;
        Ok(id)
    }
}

/// The development sink: each message becomes an `.eml` file in a directory.
pub struct FileMailer {
    transport: AsyncFileTransport<Tokio1Executor>,
    directory: PathBuf,
    from: Mailbox,
    dkim: Option<Arc<DkimSigner>>,
}

impl FileMailer {
    pub fn new(directory: PathBuf, from: &str) -> Result<Self, MailError> {
        std::fs::create_dir_all(&directory).map_err(|e| MailError::Transport(e.to_string()))?;
        let from = from.parse().map_err(|_| MailError::Build("sender".into()))?;
        Ok(Self { transport: AsyncFileTransport::new(&directory), directory, from, dkim: None })
    }

    /// Signs every message with `signer` (to check a key before a relay is set up).
    pub fn with_dkim(self, signer: Arc<DkimSigner>) -> Self {
        Self { dkim: Some(signer), ..self }
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<String, MailError> {
        let message = build(&self.from, mail, self.dkim.as_deref())?;
        let message_id = message_id(&message);
        let id = self.transport.send(message).await.map_err(|e| MailError::Transport(e.to_string()))?;
        tracing::info!(mail.file = %self.directory.join(format!("{id}.eml")).display(), "development mail sink: message written to file");
        Ok(message_id)
    }
}
