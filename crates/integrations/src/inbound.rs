//! Inbound mail: an SMTP server that takes the messages applicants send with supplementary
//! materials (the guide's "邮件上传"), and the delivery reports (bounces) mail servers send
//! back, and hands each, parsed, to the platform through a channel. Messages larger than [`MAX_MESSAGE_BYTES`] are refused in the SMTP exchange.

use mailin_embedded::{Handler, Response, Server, SslConfig, response};
use std::net::TcpListener;
use tokio::sync::mpsc;

/// Largest message accepted.
pub const MAX_MESSAGE_BYTES: usize = 20 * 1024 * 1024;

/// A received message, reduced to what the platform uses.
#[derive(Debug, Clone)]
pub struct InboundMail {
    /// The envelope sender.
    pub from: String,
    /// The envelope recipients.
    pub to: Vec<String>,
    /// Each attachment's bytes (its declared type is not trusted; intake sniffs it).
    pub attachments: Vec<Vec<u8>>,
    /// What the message reports, if it is a delivery status report (a bounce).
    pub bounce: Option<crate::bounce::Bounce>,
}

#[derive(Clone)]
struct Receiver {
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
    too_large: bool,
    sink: mpsc::Sender<InboundMail>,
}

impl Handler for Receiver {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.from = from.to_owned();
        self.to = to.to_vec();
        self.data.clear();
        self.too_large = false;
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if self.data.len() + buf.len() > MAX_MESSAGE_BYTES {
            self.too_large = true;
        } else {
            self.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if self.too_large {
            return response::NO_STORAGE;
        }
        let Some(message) = mail_parser::MessageParser::default().parse(&self.data) else {
            return response::TRANSACTION_FAILED;
        };
        let attachments = message.attachments().map(|part| part.contents().to_vec()).collect();
        let bounce = crate::bounce::read(&message);
        let mail = InboundMail { from: self.from.clone(), to: self.to.clone(), attachments, bounce };
        match self.sink.blocking_send(mail) {
            Ok(()) => response::OK,
            Err(_) => response::INTERNAL_ERROR,
        }
    }
}

/// Serves SMTP on `listener` in a background thread, sending each message to `sink`.
pub fn serve(listener: TcpListener, name: &str, sink: mpsc::Sender<InboundMail>) -> Result<(), String> {
    let receiver = Receiver { from: String::new(), to: Vec::new(), data: Vec::new(), too_large: false, sink };
    let mut server = Server::new(receiver);
    server.with_name(name).with_tcp_listener(listener);
    server.with_ssl(SslConfig::None).map_err(|e| e.to_string())?;
    std::thread::spawn(move || {
        if let Err(error) = server.serve() {
            tracing::error!(error.cause = %error, "inbound SMTP server stopped");
        }
    });
    Ok(())
}
