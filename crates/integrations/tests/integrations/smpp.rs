//! The SMPP client against the SMSC simulator (issue 19): encoding and concatenation as the
//! gateway receives them, throttling waited out, refusals sorted into undeliverable and
//! retry-later, receipts late or never, a gateway down then back, a refused bind, parts sent
//! before not sent again, and the keep-alive.

use lingshi_integrations::smpp::{Outcome, Receipts, SmppConfig, SmppSender};
use lingshi_integrations::sms::{Sms, SmsFailure, SmsReport, SmsSender};
use lingshi_integrations::smsc_simulator::{Behaviour, ReceiptPlan, Smsc};
use rusmpp::CommandStatus;
use rusmpp::values::DataCoding;
use std::time::Duration;

async fn gateway(behaviour: Behaviour) -> Smsc {
    Smsc::start(behaviour).await.expect("simulator")
}

fn client(smsc: &Smsc, send_timeout: Duration) -> (SmppSender, Receipts) {
    let mut config = SmppConfig::from_url(&smsc.url("CNEmbassy")).expect("url");
    config.send_timeout = send_timeout;
    SmppSender::start(config)
}

async fn send(sender: &SmppSender, key: &str, to: &str, body: &str) -> SmsReport {
    sender.send(&Sms { key, to, masked: "masked", body, done: &[] }).await
}

#[tokio::test]
async fn chinese_text_arrives_as_ucs2_parts_that_join_up() {
    let smsc = gateway(Behaviour::default()).await;
    let (sender, _receipts) = client(&smsc, Duration::from_secs(10));
    let text =
        "【中国驻比利时使馆】您的护照换发申请（订单号 2026-BE-000123）已办结，请按预约时间携带原护照到使馆领取。"
            .repeat(2);
    let report = send(&sender, "job-1", "+8613800138000", &text).await;
    assert_eq!(report.failure, None);
    assert!(report.parts >= 2, "{} parts", report.parts);
    assert_eq!(report.accepted.len(), report.parts);
    let log = smsc.log();
    assert!(log.accepted.iter().all(|part| part.data_coding == DataCoding::Ucs2 && part.udhi));
    assert!(log.accepted.iter().all(|part| part.destination == "8613800138000" && part.source == "CNEmbassy"));
    assert_eq!(smsc.texts(), vec![("8613800138000".to_owned(), text)]);

    let latin = "Your order 2026-BE-000123 is ready for collection.";
    assert_eq!(send(&sender, "job-2", "+32470123456", latin).await.failure, None);
    let last = smsc.log().accepted.pop().expect("accepted");
    assert_eq!((last.data_coding, last.udhi), (DataCoding::McSpecific, false));
    assert_eq!(smsc.texts().last().map(|(_, text)| text.as_str()), Some(latin));
}

#[tokio::test]
async fn throttling_is_waited_out_and_nothing_is_sent_twice() {
    let smsc = gateway(Behaviour { throttle_every: 3, ..Behaviour::default() }).await;
    let (sender, _receipts) = client(&smsc, Duration::from_secs(20));
    let sends =
        (0..30).map(|i| {
            let sender = &sender;
            async move {
                send(sender, &format!("job-{i}"), &format!("+3247000{i:04}"), &format!("Message number {i}")).await
            }
        });
    let reports = futures_util::future::join_all(sends).await;
    assert!(reports.iter().all(|report| report.failure.is_none()), "{reports:?}");
    let log = smsc.log();
    assert!(log.throttled >= 10, "the gateway throttled {} times", log.throttled);
    let mut texts: Vec<String> = smsc.texts().into_iter().map(|(_, text)| text).collect();
    texts.sort();
    let mut expected: Vec<String> = (0..30).map(|i| format!("Message number {i}")).collect();
    expected.sort();
    assert_eq!(texts, expected);
}

#[tokio::test]
async fn a_refused_number_is_undeliverable_and_a_failing_gateway_is_tried_again_later() {
    let mut behaviour = Behaviour::default();
    behaviour.refuse.insert("32470999999".into(), CommandStatus::EsmeRinvdstadr);
    behaviour.refuse.insert("32470888888".into(), CommandStatus::EsmeRsyserr);
    let smsc = gateway(behaviour).await;
    let (sender, _receipts) = client(&smsc, Duration::from_secs(10));
    let refused = send(&sender, "job-a", "+32470999999", "hello").await;
    assert!(matches!(refused.failure, Some(SmsFailure::Undeliverable(_))), "{refused:?}");
    let failing = send(&sender, "job-b", "+32470888888", "hello").await;
    assert!(matches!(failing.failure, Some(SmsFailure::Unavailable(_))), "{failing:?}");
    let not_a_number = send(&sender, "job-c", "12", "hello").await;
    assert!(matches!(not_a_number.failure, Some(SmsFailure::Undeliverable(_))), "{not_a_number:?}");
    assert!(smsc.log().accepted.is_empty());
}

#[tokio::test]
async fn receipts_come_late_or_never() {
    let mut behaviour = Behaviour {
        receipts: ReceiptPlan::After(Duration::from_millis(300), Outcome::Delivered),
        ..Behaviour::default()
    };
    behaviour.receipts_for.insert("32470000002".into(), ReceiptPlan::Never);
    behaviour.receipts_for.insert("32470000003".into(), ReceiptPlan::After(Duration::ZERO, Outcome::Undeliverable));
    let smsc = gateway(behaviour).await;
    let (sender, mut receipts) = client(&smsc, Duration::from_secs(10));
    let late = send(&sender, "job-1", "+32470000001", "late").await;
    let never = send(&sender, "job-2", "+32470000002", "never").await;
    let failed = send(&sender, "job-3", "+32470000003", "failed").await;
    let id = |report: &SmsReport| report.accepted[0].message_id.clone();

    let first = tokio::time::timeout(Duration::from_secs(5), receipts.recv()).await.expect("a receipt").expect("open");
    assert_eq!((first.message_id, first.outcome), (id(&failed), Outcome::Undeliverable));
    let second = tokio::time::timeout(Duration::from_secs(5), receipts.recv()).await.expect("a receipt").expect("open");
    assert_eq!((second.message_id, second.outcome), (id(&late), Outcome::Delivered));
    let nothing = tokio::time::timeout(Duration::from_millis(800), receipts.recv()).await;
    assert!(nothing.is_err(), "no receipt for {}: {nothing:?}", id(&never));
}

#[tokio::test]
async fn a_gateway_that_is_down_fails_the_attempt_and_serves_the_next_once_back() {
    let smsc = gateway(Behaviour::default()).await;
    let address = smsc.address();
    let (sender, _receipts) = client(&smsc, Duration::from_millis(700));
    drop(smsc);
    let down = send(&sender, "job-1", "+32470000001", "while down").await;
    assert!(matches!(down.failure, Some(SmsFailure::Unavailable(_))), "{down:?}");
    assert!(down.accepted.is_empty());

    let back = Smsc::start_on(&address, Behaviour::default()).await.expect("the gateway returns");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let report = loop {
        let report = send(&sender, "job-1", "+32470000001", "once back").await;
        if report.failure.is_none() || tokio::time::Instant::now() > deadline {
            break report;
        }
    };
    assert_eq!(report.failure, None);
    assert_eq!(
        back.texts(),
        vec![("32470000001".to_owned(), "once back".to_owned())],
        "the message withdrawn while down was never sent"
    );
}

#[tokio::test]
async fn a_refused_bind_sends_nothing() {
    let smsc = gateway(Behaviour::default()).await;
    let mut config = SmppConfig::from_url(&smsc.url("CNEmbassy").replace(":secret@", ":wrong@")).expect("url");
    config.send_timeout = Duration::from_millis(500);
    let (sender, _receipts) = SmppSender::start(config);
    let report = send(&sender, "job-1", "+32470000001", "hello").await;
    assert!(matches!(report.failure, Some(SmsFailure::Unavailable(_))), "{report:?}");
    let log = smsc.log();
    assert!(log.refused_binds >= 1 && log.binds == 0 && log.accepted.is_empty(), "{log:?}");
}

#[tokio::test]
async fn parts_accepted_before_are_not_sent_again() {
    let smsc = gateway(Behaviour::default()).await;
    let (sender, _receipts) = client(&smsc, Duration::from_secs(10));
    let text = "您的订单需要补充材料，请登录中国领事APP查看详情并在三十日内上传。".repeat(3);
    let report = sender.send(&Sms { key: "job-9", to: "+8613800138000", masked: "m", body: &text, done: &[0] }).await;
    assert_eq!(report.failure, None);
    let sent: Vec<usize> = report.accepted.iter().map(|part| part.part).collect();
    assert_eq!(sent, (1..report.parts).collect::<Vec<_>>());
    let numbers: Vec<u8> = smsc.log().accepted.iter().map(|part| part.short_message[5]).collect();
    assert_eq!(numbers, (2..=report.parts as u8).collect::<Vec<_>>(), "part 1 is not sent again");
}

#[tokio::test]
async fn an_idle_session_is_kept_alive() {
    let smsc = gateway(Behaviour::default()).await;
    let url = format!("{}&enquire_link_secs=1", smsc.url("CNEmbassy"));
    let (sender, _receipts) = SmppSender::start(SmppConfig::from_url(&url).expect("url"));
    assert_eq!(send(&sender, "job-1", "+32470000001", "hello").await.failure, None);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let log = smsc.log();
    assert!(log.enquire_links >= 2, "{log:?}");
    assert_eq!(log.binds, 1, "one session throughout");
}
