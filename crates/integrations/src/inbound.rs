//! Inbound mail: an SMTP server (RFC 5321, the receiving side) that takes the messages
//! applicants send with supplementary materials (the guide's "邮件上传") and the delivery
//! reports (bounces) mail servers send back — with the null reverse path `MAIL FROM:<>` those
//! are sent with — and hands each, parsed, to the platform through a channel. Messages larger
//! than [`MAX_MESSAGE_BYTES`] are refused in the exchange (552); commands out of order get 503,
//! unknown ones 502; a client silent for [`IDLE`] is dropped.

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// Largest message accepted.
pub const MAX_MESSAGE_BYTES: usize = 20 * 1024 * 1024;
/// Longest command line (RFC 5321 §4.5.3.1.4: 512 octets; a little room for parameters).
const MAX_COMMAND: u64 = 1024;
/// Longest line of a message (1000 octets by the RFC; mail in the wild is laxer).
const MAX_TEXT_LINE: u64 = 64 * 1024;
const MAX_RECIPIENTS: usize = 100;
/// How long a client may stay silent.
pub const IDLE: std::time::Duration = std::time::Duration::from_secs(120);

/// A received message, reduced to what the platform uses.
#[derive(Debug, Clone)]
pub struct InboundMail {
    /// The envelope sender (empty for a delivery report).
    pub from: String,
    /// The envelope recipients.
    pub to: Vec<String>,
    /// Each attachment's bytes (its declared type is not trusted; intake sniffs it).
    pub attachments: Vec<Vec<u8>>,
    /// What the message reports, if it is a delivery status report (a bounce).
    pub bounce: Option<crate::bounce::Bounce>,
}

/// Serves SMTP on `listener` (named `name` in greetings), sending each message to `sink`.
/// Must be called within a tokio runtime.
pub fn serve(listener: std::net::TcpListener, name: &str, sink: mpsc::Sender<InboundMail>) -> Result<(), String> {
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
    let name = name.to_owned();
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    tokio::spawn(session(stream, name.clone(), sink.clone()));
                }
                Err(error) => tracing::warn!(error.cause = %error, "inbound SMTP: accept failed"),
            }
        }
    });
    Ok(())
}

/// One mail transaction's envelope.
#[derive(Default)]
struct Envelope {
    from: Option<String>,
    to: Vec<String>,
}

async fn session(stream: TcpStream, name: String, sink: mpsc::Sender<InboundMail>) {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    if writer.write_all(format!("220 {name} ESMTP\r\n").as_bytes()).await.is_err() {
        return;
    }
    let mut envelope = Envelope::default();
    loop {
        let Some(line) = read_line(&mut reader, MAX_COMMAND).await else { return };
        let command = String::from_utf8_lossy(&line);
        let command = command.trim_end_matches(['\r', '\n']);
        let (verb, argument) = command.split_once(' ').unwrap_or((command, ""));
        let reply = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => format!("250-{name}\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE {MAX_MESSAGE_BYTES}\r\n"),
            "HELO" => format!("250 {name}\r\n"),
            "MAIL" => mail_from(argument, &mut envelope),
            "RCPT" => rcpt_to(argument, &mut envelope),
            "DATA" if envelope.to.is_empty() => "503 5.5.1 RCPT first\r\n".to_owned(),
            "DATA" => {
                if writer.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await.is_err() {
                    return;
                }
                let Some(message) = read_message(&mut reader).await else { return };
                let taken = std::mem::take(&mut envelope);
                match message {
                    Some(data) => deliver(&sink, taken, &data).await,
                    None => "552 5.3.4 Message too big\r\n".to_owned(),
                }
            }
            "RSET" => {
                envelope = Envelope::default();
                "250 2.0.0 OK\r\n".to_owned()
            }
            "NOOP" => "250 2.0.0 OK\r\n".to_owned(),
            "VRFY" => "252 2.5.2 Cannot verify\r\n".to_owned(),
            "QUIT" => {
                let _ = writer.write_all(b"221 2.0.0 Bye\r\n").await;
                return;
            }
            _ => "502 5.5.2 Command not implemented\r\n".to_owned(),
        };
        if writer.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The path in `<…>` after `prefix` (`FROM:`, `TO:`), case-insensitively; `None` when malformed.
fn path<'a>(argument: &'a str, prefix: &str) -> Option<&'a str> {
    let head = argument.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = argument[prefix.len()..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    Some(&rest[..end])
}

fn mail_from(argument: &str, envelope: &mut Envelope) -> String {
    let Some(sender) = path(argument, "FROM:") else { return "501 5.5.4 Syntax: MAIL FROM:<address>\r\n".to_owned() };
    let size = argument
        .split_whitespace()
        .filter_map(|param| param.split_once('='))
        .find(|(key, _)| key.eq_ignore_ascii_case("SIZE"))
        .and_then(|(_, value)| value.parse::<usize>().ok());
    if size.is_some_and(|size| size > MAX_MESSAGE_BYTES) {
        return "552 5.3.4 Message too big\r\n".to_owned();
    }
    *envelope = Envelope { from: Some(sender.to_owned()), to: Vec::new() };
    "250 2.1.0 OK\r\n".to_owned()
}

fn rcpt_to(argument: &str, envelope: &mut Envelope) -> String {
    if envelope.from.is_none() {
        return "503 5.5.1 MAIL first\r\n".to_owned();
    }
    match path(argument, "TO:") {
        Some(recipient) if !recipient.is_empty() && envelope.to.len() < MAX_RECIPIENTS => {
            envelope.to.push(recipient.to_owned());
            "250 2.1.5 OK\r\n".to_owned()
        }
        Some(recipient) if !recipient.is_empty() => "452 4.5.3 Too many recipients\r\n".to_owned(),
        _ => "501 5.5.4 Syntax: RCPT TO:<address>\r\n".to_owned(),
    }
}

/// One line of at most `limit` bytes, with its line ending; `None` when the client went away,
/// stayed silent too long or sent a longer line.
async fn read_line(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, limit: u64) -> Option<Vec<u8>> {
    let mut line = Vec::new();
    let read = tokio::time::timeout(IDLE, (&mut *reader).take(limit).read_until(b'\n', &mut line)).await.ok()?.ok()?;
    (read > 0 && line.ends_with(b"\n")).then_some(line)
}

/// The message after DATA, dot-unstuffed, up to the lone `.`: `Some(None)` when it was larger
/// than [`MAX_MESSAGE_BYTES`] (read to its end and dropped), `None` when the client went away.
async fn read_message(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<Option<Vec<u8>>> {
    let mut data = Vec::new();
    let mut too_big = false;
    loop {
        let line = read_line(reader, MAX_TEXT_LINE).await?;
        if line == b".\r\n" || line == b".\n" {
            return Some((!too_big).then_some(data));
        }
        let line = line.strip_prefix(b".").unwrap_or(&line);
        if data.len() + line.len() > MAX_MESSAGE_BYTES {
            too_big = true;
            data.clear();
        } else if !too_big {
            data.extend_from_slice(line);
        }
    }
}

async fn deliver(sink: &mpsc::Sender<InboundMail>, envelope: Envelope, data: &[u8]) -> String {
    let Some(message) = mail_parser::MessageParser::default().parse(data) else {
        return "554 5.6.0 The message cannot be read\r\n".to_owned();
    };
    let attachments = message.attachments().map(|part| part.contents().to_vec()).collect();
    let bounce = crate::bounce::read(&message);
    let mail = InboundMail { from: envelope.from.unwrap_or_default(), to: envelope.to, attachments, bounce };
    match sink.send(mail).await {
        Ok(()) => "250 2.0.0 OK\r\n".to_owned(),
        Err(_) => "451 4.3.0 Try again later\r\n".to_owned(),
    }
}
