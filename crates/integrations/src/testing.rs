//! A real SMTP server for tests: it listens on a loopback port, speaks SMTP to whoever
//! connects (our mailer, in tests) and keeps each message it receives, parsed.

use mail_parser::MimeHeaders;
use mailin_embedded::{Handler, Response, Server, SslConfig, response};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A message the catcher received.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    /// The HTML part, if any.
    pub html: Option<String>,
    /// The images it carries: their content type and bytes.
    pub images: Vec<(String, Vec<u8>)>,
    /// Its other files (a calendar entry): their content type and bytes.
    pub attachments: Vec<(String, Vec<u8>)>,
    /// Its header section as sent (folded lines and all).
    pub header_text: String,
    /// The whole message as received (to check a signature over it).
    pub raw: Vec<u8>,
}

#[derive(Clone, Default)]
struct Collector {
    to: Vec<String>,
    data: Vec<u8>,
    inbox: Arc<Mutex<Vec<ReceivedMail>>>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let Some(message) = mail_parser::MessageParser::default().parse(&self.data) else {
            return response::INTERNAL_ERROR;
        };
        let parts_where = |wanted: &dyn Fn(&str, &str) -> bool| -> Vec<(String, Vec<u8>)> {
            message
                .parts
                .iter()
                .filter_map(|part| {
                    let kind = part.content_type()?;
                    let subtype = kind.subtype().unwrap_or_default();
                    wanted(kind.ctype(), subtype)
                        .then(|| (format!("{}/{subtype}", kind.ctype()), part.contents().to_vec()))
                })
                .collect()
        };
        let mail = ReceivedMail {
            to: self.to.clone(),
            subject: message.subject().unwrap_or_default().to_owned(),
            body: message.body_text(0).map(|b| b.into_owned()).unwrap_or_default(),
            html: message
                .parts
                .iter()
                .find(|part| part.content_type().is_some_and(|k| k.ctype() == "text" && k.subtype() == Some("html")))
                .and_then(|part| part.text_contents())
                .map(str::to_owned),
            images: parts_where(&|kind, _| kind == "image"),
            attachments: parts_where(&|kind, subtype| {
                let body_text = kind == "text" && matches!(subtype, "plain" | "html");
                !matches!(kind, "image" | "multipart") && !body_text
            }),
            header_text: String::from_utf8_lossy(&self.data).split("\r\n\r\n").next().unwrap_or_default().to_owned(),
            raw: self.data.clone(),
        };
        if let Ok(mut inbox) = self.inbox.lock() {
            inbox.push(mail);
        }
        response::OK
    }
}

/// An SMTP server on 127.0.0.1 that keeps what it receives.
#[derive(Clone)]
pub struct SmtpCatcher {
    pub port: u16,
    inbox: Arc<Mutex<Vec<ReceivedMail>>>,
}

impl SmtpCatcher {
    /// Starts the server on a free loopback port, in a background thread.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("cannot bind SMTP catcher: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let collector = Collector::default();
        let inbox = collector.inbox.clone();
        let mut server = Server::new(collector);
        server.with_name("catcher.test").with_tcp_listener(listener);
        if server.with_ssl(SslConfig::None).is_err() {
            panic!("the SMTP catcher refused its configuration");
        }
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self { port, inbox }
    }

    /// `smtp://127.0.0.1:PORT`, for the mailer's configuration.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Waits up to `timeout` for a message to `recipient` and returns the newest.
    pub fn wait_for(&self, recipient: &str, timeout: Duration) -> Option<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let found =
                self.messages().into_iter().rev().find(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(recipient)));
            if found.is_some() {
                return found;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.inbox.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

/// A delivery status report (RFC 3464) as Postfix writes one, for `recipient` with `action`
/// (`failed`, `delayed`), returning the headers of the message `message_id`.
pub fn delivery_report(recipient: &str, action: &str, message_id: &str) -> String {
    format!(
        "From: MAILER-DAEMON@mx.example.org\r\nTo: noreply@lingshi.test\r\nSubject: Undelivered Mail Returned to Sender\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"B1\"\r\n\r\n\
         --B1\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not be delivered.\r\n\r\n\
         --B1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\nArrival-Date: Mon, 30 Nov 2026 21:00:00 +0000\r\n\r\n\
         Final-Recipient: rfc822; {recipient}\r\nOriginal-Recipient: rfc822;{recipient}\r\nAction: {action}\r\nStatus: 5.1.1\r\n\
         Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected:\r\n    User unknown in virtual mailbox table\r\n\r\n\
         --B1\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: noreply@lingshi.test\r\nTo: {recipient}\r\nMessage-ID: {message_id}\r\nSubject: x\r\n\r\n--B1--\r\n"
    )
}
