//! DKIM (issue 19): mail signed with the mission's key passes mail-auth's verifier (a verifier
//! library), given the public key as the TXT record `<selector>._domainkey.<domain>` would
//! publish it; a key in PKCS#8 signs as well; a message altered on the way fails. The record
//! reaches the verifier through its resolver cache: a miss would go to the network, which is not
//! there, and fail the test.

use base64::Engine;
use lingshi_integrations::dkim::DkimSigner;
use lingshi_integrations::mail::{Mailer, OutgoingMail, SmtpMailer};
use lingshi_integrations::testing::SmtpCatcher;
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::resolver::IntoFqdn;
use mail_auth::common::verify::DomainKey;
use mail_auth::{AuthenticatedMessage, DkimResult, MessageAuthenticator, Parameters, ResolverCache, Txt};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use std::borrow::Borrow;
use std::hash::Hash;
use std::sync::Arc;
use std::time::{Duration, Instant};

const DOMAIN: &str = "lingshi.test";
const SELECTOR: &str = "mail2026";

/// The DNS as the verifier sees it: the one key record.
struct PublishedKey {
    name: String,
    record: Txt,
}

impl ResolverCache<String, Txt> for PublishedKey {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        String: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let ours: &Q = self.name.borrow();
        (ours == name).then(|| self.record.clone())
    }

    fn remove<Q>(&self, _: &Q) -> Option<Txt>
    where
        String: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        None
    }

    fn insert(&self, _: String, _: Txt, _: Instant) {}
}

async fn signed_mail(signer: DkimSigner, to: &str) -> Vec<u8> {
    let catcher = SmtpCatcher::start();
    let mailer = SmtpMailer::from_url(&catcher.url(), "中国驻比利时使馆 <noreply@lingshi.test>")
        .expect("mailer")
        .with_dkim(Arc::new(signer));
    let mail = OutgoingMail {
        to: to.into(),
        subject: "【领事】订单 BE2611300001 状态更新".into(),
        body: "您的订单 BE2611300001 状态已更新为：待制证。\n\nYour order is being produced.".into(),
        images: Vec::new(),
        attachments: Vec::new(),
        html: true,
    };
    mailer.send(&mail).await.expect("sent");
    let to = to.to_owned();
    tokio::task::spawn_blocking(move || catcher.wait_for(&to, Duration::from_secs(5)))
        .await
        .expect("join")
        .expect("the mail arrived")
        .raw
}

async fn verdicts(key: &PublishedKey, raw: &[u8]) -> Vec<DkimResult> {
    let authenticator = MessageAuthenticator::new_cloudflare().expect("a verifier");
    let message = AuthenticatedMessage::parse(raw).expect("a mail");
    let params = Parameters::new(&message).with_txt_cache(key);
    authenticator.verify_dkim(params).await.iter().map(|output| output.result().clone()).collect()
}

#[tokio::test]
async fn signed_mail_passes_a_verifier_and_altered_mail_fails() {
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("key");
    let public = key.to_public_key().to_public_key_der().expect("public key");
    let record = format!("v=DKIM1; k=rsa; p={}", base64::engine::general_purpose::STANDARD.encode(public.as_bytes()));
    let parsed = DomainKey::parse(record.as_bytes()).expect("a key record");
    let name = format!("{SELECTOR}._domainkey.{DOMAIN}").into_fqdn().into_owned();
    let key_record = PublishedKey { name, record: Txt::from(parsed) };

    let pkcs1 = key.to_pkcs1_pem(LineEnding::LF).expect("pem");
    let raw = signed_mail(DkimSigner::from_pem(DOMAIN, SELECTOR, &pkcs1).expect("signer"), "zhang@example.org").await;
    assert!(String::from_utf8_lossy(&raw).contains("DKIM-Signature"), "the header is there");
    assert_eq!(verdicts(&key_record, &raw).await, vec![DkimResult::Pass]);

    let pkcs8 = key.to_pkcs8_pem(LineEnding::LF).expect("pem");
    let raw8 = signed_mail(DkimSigner::from_pem(DOMAIN, SELECTOR, &pkcs8).expect("signer"), "li@example.org").await;
    assert_eq!(verdicts(&key_record, &raw8).await, vec![DkimResult::Pass], "a PKCS#8 key signs the same");

    let mut altered = raw.clone();
    let body_start = altered.windows(4).position(|w| w == b"\r\n\r\n").expect("a body") + 4;
    let position = altered[body_start..].iter().position(u8::is_ascii_alphanumeric).expect("text") + body_start;
    altered[position] = if altered[position] == b'A' { b'B' } else { b'A' };
    let verdict = verdicts(&key_record, &altered).await;
    assert!(verdict.iter().all(|result| *result != DkimResult::Pass) && !verdict.is_empty(), "{verdict:?}");
}
