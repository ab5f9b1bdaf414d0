//! Integration tests of the adapters against real peers: mail through a real SMTP exchange,
//! text messages through an SMSC simulator ([`smpp`]).

#[path = "integrations/dkim.rs"]
mod dkim;
#[path = "integrations/inbound.rs"]
mod inbound;
#[path = "integrations/smpp.rs"]
mod smpp;

use lingshi_integrations::mail::{
    FileAttachment, FileMailer, InlineImage, MailError, Mailer, OutgoingMail, SmtpMailer,
};
use lingshi_integrations::testing::SmtpCatcher;
use std::time::Duration;

fn mail(to: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.into(),
        subject: "您的验证码 / Your code".into(),
        body: "验证码 / Code: 482913".into(),
        images: Vec::new(),
        attachments: Vec::new(),
        html: false,
    }
}

#[tokio::test]
async fn a_notice_goes_as_plain_text_and_html_with_its_link_clickable() {
    let catcher = SmtpCatcher::start();
    let mailer = SmtpMailer::from_url(&catcher.url(), "Lingshi <noreply@lingshi.test>").expect("mailer");
    let body =
        "您的订单 BE2611300001 状态已更新为：待补充材料。\n\n查看订单：https://consular.example/orders/42".to_owned();
    mailer.send(&OutgoingMail { body: body.clone(), html: true, ..mail("zhao@example.com") }).await.expect("send");
    let received = tokio::task::spawn_blocking(move || catcher.wait_for("zhao@example.com", Duration::from_secs(5)))
        .await
        .expect("join")
        .expect("the message arrived");
    assert_eq!(received.body.replace("\r\n", "\n").trim_end(), body, "the plain part is the text");
    let html = received.html.expect("an HTML part");
    assert!(
        html.contains(
            "<p>查看订单：<a href=\"https://consular.example/orders/42\">https://consular.example/orders/42</a></p>"
        ),
        "{html}"
    );
    assert!(html.contains("待补充材料"));
}

#[tokio::test]
async fn smtp_mailer_delivers_through_a_real_smtp_exchange() {
    let catcher = SmtpCatcher::start();
    let mailer = SmtpMailer::from_url(&catcher.url(), "Lingshi <noreply@lingshi.test>").expect("mailer");
    mailer.send(&mail("zhang.san@example.com")).await.expect("send");
    let received =
        tokio::task::spawn_blocking(move || catcher.wait_for("zhang.san@example.com", Duration::from_secs(5)))
            .await
            .expect("join")
            .expect("the message arrived");
    assert_eq!(received.subject, "您的验证码 / Your code");
    assert!(received.body.contains("482913"));
    let headers = received.header_text.to_ascii_lowercase();
    for line in ["\r\nauto-submitted: auto-generated", "\r\nmessage-id: <", "\r\ndate: "] {
        assert!(format!("\r\n{headers}").contains(line), "{line:?} in {}", received.header_text);
    }
}

#[tokio::test]
async fn images_travel_inline_beside_the_text() {
    let catcher = SmtpCatcher::start();
    let mailer = SmtpMailer::from_url(&catcher.url(), "Lingshi <noreply@lingshi.test>").expect("mailer");
    let png = vec![0x89, b'P', b'N', b'G', 13, 10, 26, 10, 1, 2, 3];
    let image = InlineImage { content_id: "wechat-pay".into(), label: "微信支付".into(), png: png.clone() };
    mailer.send(&OutgoingMail { images: vec![image], ..mail("li.si@example.com") }).await.expect("send");
    let received = tokio::task::spawn_blocking(move || catcher.wait_for("li.si@example.com", Duration::from_secs(5)))
        .await
        .expect("join")
        .expect("the message arrived");
    assert!(received.body.contains("482913"), "the text is still there: {}", received.body);
    assert_eq!(received.images, vec![("image/png".to_owned(), png)]);
}

#[tokio::test]
async fn a_calendar_entry_travels_as_an_attachment_beside_the_text() {
    let catcher = SmtpCatcher::start();
    let mailer = SmtpMailer::from_url(&catcher.url(), "Lingshi <noreply@lingshi.test>").expect("mailer");
    let ics = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n".to_vec();
    let file = FileAttachment {
        filename: "interview.ics".into(),
        content_type: "text/calendar; charset=utf-8; method=REQUEST".into(),
        bytes: ics.clone(),
    };
    mailer.send(&OutgoingMail { attachments: vec![file], ..mail("wang.wu@example.com") }).await.expect("send");
    let received = tokio::task::spawn_blocking(move || catcher.wait_for("wang.wu@example.com", Duration::from_secs(5)))
        .await
        .expect("join")
        .expect("the message arrived");
    assert!(received.body.contains("482913"), "the text is still there: {}", received.body);
    assert_eq!(received.attachments, vec![("text/calendar".to_owned(), ics)]);
    assert!(received.images.is_empty());
}

#[tokio::test]
async fn an_unreachable_relay_is_an_error_not_a_silent_success() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let mailer = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{port}"), "noreply@lingshi.test").expect("mailer");
    assert!(matches!(mailer.send(&mail("a@example.com")).await, Err(MailError::Transport(_))));
}

#[test]
fn malformed_relay_urls_are_refused() {
    for url in ["mailto:x", "smtp://", "http://host", "smtp://host:notaport"] {
        assert!(matches!(SmtpMailer::from_url(url, "noreply@lingshi.test"), Err(MailError::BadUrl)), "{url}");
    }
}

#[tokio::test]
async fn file_mailer_writes_an_eml_file() {
    let dir = std::env::temp_dir().join(format!("lingshi-mail-{}", std::process::id()));
    let mailer = FileMailer::new(dir.clone(), "noreply@lingshi.test").expect("mailer");
    mailer.send(&mail("li.si@example.com")).await.expect("send");
    let files: Vec<_> = std::fs::read_dir(&dir).expect("dir").flatten().collect();
    assert_eq!(files.len(), 1);
    let _ = std::fs::remove_dir_all(dir);
}
