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
    /// The images it carries: their content type and bytes.
    pub images: Vec<(String, Vec<u8>)>,
    /// Its other files (a calendar entry): their content type and bytes.
    pub attachments: Vec<(String, Vec<u8>)>,
    /// Its header section as sent (folded lines and all).
    pub header_text: String,
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
            images: parts_where(&|kind, _| kind == "image"),
            attachments: parts_where(&|kind, subtype| {
                let body_text = kind == "text" && matches!(subtype, "plain" | "html");
                !matches!(kind, "image" | "multipart") && !body_text
            }),
            header_text: String::from_utf8_lossy(&self.data).split("\r\n\r\n").next().unwrap_or_default().to_owned(),
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
