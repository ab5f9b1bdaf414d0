//! The inbound SMTP server, spoken to by lettre's client and by hand: a delivery report with the
//! null reverse path is taken and read as a bounce; a supplement's attachment arrives whole,
//! dot-stuffed lines and all; commands out of order, malformed or unknown get their codes; a
//! message declared too big is refused.

use lettre::address::Envelope;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};
use lingshi_integrations::inbound::{InboundMail, MAX_MESSAGE_BYTES, serve};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

fn server() -> (u16, mpsc::Receiver<InboundMail>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let (sink, inbox) = mpsc::channel(4);
    serve(listener, "lingshi.test", sink).expect("serve");
    (port, inbox)
}

async fn send_raw(port: u16, from: Option<&str>, raw: Vec<u8>) {
    let from = from.map(|f| f.parse().expect("from"));
    tokio::task::spawn_blocking(move || {
        let envelope = Envelope::new(from, vec!["supplement@lingshi.test".parse().expect("to")]).expect("envelope");
        let transport = lettre::SmtpTransport::builder_dangerous("127.0.0.1").port(port).build();
        lettre::Transport::send_raw(&transport, &envelope, &raw).expect("sent");
    })
    .await
    .expect("join");
}

async fn next(inbox: &mut mpsc::Receiver<InboundMail>) -> InboundMail {
    tokio::time::timeout(Duration::from_secs(5), inbox.recv()).await.expect("in time").expect("a mail")
}

#[tokio::test]
async fn a_report_with_the_null_sender_is_read_as_a_bounce() {
    let (port, mut inbox) = server();
    let report = lingshi_integrations::testing::delivery_report("zhang@example.org", "failed", "<n1@lingshi.test>");
    send_raw(port, None, report.into_bytes()).await;
    let mail = next(&mut inbox).await;
    assert_eq!(mail.from, "", "the null reverse path");
    let bounce = mail.bounce.expect("a bounce");
    assert_eq!(bounce.failed[0].address, "zhang@example.org");
    assert_eq!(bounce.message_id.as_deref(), Some("<n1@lingshi.test>"));
}

#[tokio::test]
async fn an_attachment_arrives_whole() {
    let (port, mut inbox) = server();
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let message = lettre::Message::builder()
        .from("zhang@example.org".parse().expect("from"))
        .to("supplement@lingshi.test".parse().expect("to"))
        .subject("补充材料")
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(".a line that starts with a dot\n..and two\n.".to_owned()))
                .singlepart(
                    Attachment::new("scan.bin".into())
                        .body(bytes.clone(), ContentType::parse("application/octet-stream").expect("type")),
                ),
        )
        .expect("message");
    send_raw(port, Some("zhang@example.org"), message.formatted()).await;
    let mail = next(&mut inbox).await;
    assert_eq!(
        (mail.from.as_str(), mail.to.as_slice()),
        ("zhang@example.org", ["supplement@lingshi.test".to_owned()].as_slice())
    );
    assert_eq!(mail.attachments, vec![bytes]);
    assert!(mail.bounce.is_none());
}

#[tokio::test]
async fn the_exchange_answers_each_command_by_the_rfc() {
    let (port, _inbox) = server();
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut line = String::new();
    reader.read_line(&mut line).await.expect("greeting");
    assert!(line.starts_with("220 "), "{line}");
    let too_big = format!("MAIL FROM:<a@example.org> SIZE={}", MAX_MESSAGE_BYTES + 1);
    for (command, code) in [
        ("DATA", "503"),
        ("RCPT TO:<a@example.org>", "503"),
        ("MAIL FROM:a@example.org", "501"),
        (too_big.as_str(), "552"),
        ("MAIL FROM:<>", "250"),
        ("RCPT TO:<>", "501"),
        ("TURN", "502"),
        ("RCPT TO:<supplement@lingshi.test>", "250"),
        ("RSET", "250"),
        ("DATA", "503"),
        ("QUIT", "221"),
    ] {
        writer.write_all(format!("{command}\r\n").as_bytes()).await.expect("write");
        line.clear();
        reader.read_line(&mut line).await.expect("reply");
        assert!(line.starts_with(code), "{command}: {line}");
    }
}
