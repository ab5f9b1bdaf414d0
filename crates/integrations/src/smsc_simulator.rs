//! An SMSC on loopback for the tests, speaking SMPP 3.4 through the same `rusmpp` codec from
//! the server's side. It binds transceivers (checking the password), accepts `submit_sm`
//! and keeps what it accepted, and can misbehave the ways real gateways do: answer every
//! n-th submit with `ESME_RTHROTTLED`, refuse chosen numbers with a chosen status, close the
//! connection on chosen submits (the submit read but neither answered nor kept, the ones
//! behind it in the window lost with the connection), and send delivery receipts late or
//! never. Receipts due while no session is bound wait for the next one.

use crate::smpp::receipt::{self, Outcome};
use futures_util::{SinkExt, StreamExt};
use rusmpp::pdus::{BindTransceiverResp, DeliverSm, SubmitSmResp};
use rusmpp::tokio_codec::CommandCodec;
use rusmpp::types::{COctetString, OctetString};
use rusmpp::values::{DataCoding, EsmClass, MessageType};
use rusmpp::{Command, CommandStatus, Pdu};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::codec::Framed;

/// When (and whether) the SMSC reports on a message it accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptPlan {
    After(Duration, Outcome),
    Never,
}

/// How the SMSC behaves.
#[derive(Debug, Clone)]
pub struct Behaviour {
    pub system_id: String,
    pub password: String,
    /// Every n-th submit is answered `ESME_RTHROTTLED` (0: never).
    pub throttle_every: u64,
    /// The submits (counted from 1 over the SMSC's life) on which it closes the connection.
    pub drop_on: Vec<u64>,
    /// Destinations refused, with the status of the refusal.
    pub refuse: HashMap<String, CommandStatus>,
    pub receipts: ReceiptPlan,
    /// Receipt plans for particular destinations.
    pub receipts_for: HashMap<String, ReceiptPlan>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            system_id: "lingshi".into(),
            password: "secret".into(),
            throttle_every: 0,
            drop_on: Vec::new(),
            refuse: HashMap::new(),
            receipts: ReceiptPlan::After(Duration::ZERO, Outcome::Delivered),
            receipts_for: HashMap::new(),
        }
    }
}

/// A part the SMSC accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub message_id: String,
    pub source: String,
    pub destination: String,
    pub data_coding: DataCoding,
    pub short_message: Vec<u8>,
    /// Whether the part starts with a user data header.
    pub udhi: bool,
}

/// What the SMSC has seen.
#[derive(Debug, Clone, Default)]
pub struct Log {
    pub accepted: Vec<Accepted>,
    pub binds: u64,
    pub refused_binds: u64,
    pub submits: u64,
    pub throttled: u64,
    pub drops: u64,
    pub receipts_sent: u64,
    pub enquire_links: u64,
}

#[derive(Default)]
struct Shared {
    behaviour: Mutex<Behaviour>,
    log: Mutex<Log>,
    receipts_due: Mutex<Vec<(Instant, String, Outcome, String)>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A running simulator; stops when dropped.
pub struct Smsc {
    address: SocketAddr,
    shared: Arc<Shared>,
    listener: JoinHandle<()>,
}

impl Drop for Smsc {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

impl Smsc {
    /// Starts an SMSC on a free loopback port.
    pub async fn start(behaviour: Behaviour) -> std::io::Result<Self> {
        Self::start_on("127.0.0.1:0", behaviour).await
    }

    /// Starts an SMSC on `address` (to bring a gateway back where it was).
    pub async fn start_on(address: &str, behaviour: Behaviour) -> std::io::Result<Self> {
        let listener = TcpListener::bind(address).await?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared { behaviour: Mutex::new(behaviour), ..Default::default() });
        let accepting = shared.clone();
        let listener = tokio::spawn(async move {
            let mut sessions = tokio::task::JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                sessions.spawn(serve(stream, accepting.clone()));
            }
        });
        Ok(Self { address, shared, listener })
    }

    pub fn address(&self) -> String {
        self.address.to_string()
    }

    /// The `LINGSHI_SMPP_URL` that reaches this SMSC with the right credentials.
    pub fn url(&self, source: &str) -> String {
        let behaviour = lock(&self.shared.behaviour);
        format!("smpp://{}:{}@{}?source={source}", behaviour.system_id, behaviour.password, self.address)
    }

    pub fn log(&self) -> Log {
        lock(&self.shared.log).clone()
    }

    pub fn set_behaviour(&self, change: impl FnOnce(&mut Behaviour)) {
        change(&mut lock(&self.shared.behaviour));
    }

    /// The messages accepted, parts joined, as `(destination, text)`, in order of their
    /// first part. A part joins the open message of its destination and reference that does
    /// not have its number yet.
    pub fn texts(&self) -> Vec<(String, String)> {
        let log = self.log();
        let mut messages: Vec<(String, BTreeMap<u8, String>)> = Vec::new();
        let mut open: HashMap<(String, u8), usize> = HashMap::new();
        for part in &log.accepted {
            let Some((reference, number, body)) = udh_of(part) else {
                let text = decode(part.data_coding, &part.short_message);
                messages.push((part.destination.clone(), BTreeMap::from([(0, text)])));
                continue;
            };
            let key = (part.destination.clone(), reference);
            let index = match open.get(&key) {
                Some(&index) if !messages[index].1.contains_key(&number) => index,
                _ => {
                    messages.push((part.destination.clone(), BTreeMap::new()));
                    open.insert(key, messages.len() - 1);
                    messages.len() - 1
                }
            };
            messages[index].1.insert(number, decode(part.data_coding, body));
        }
        messages.into_iter().map(|(destination, parts)| (destination, parts.into_values().collect())).collect()
    }
}

/// `(reference, part number, body)` of a part with an 8-bit concatenation header.
fn udh_of(part: &Accepted) -> Option<(u8, u8, &[u8])> {
    let bytes = &part.short_message;
    (part.udhi && bytes.len() >= 6 && bytes[..3] == [5, 0, 3]).then(|| (bytes[3], bytes[5], &bytes[6..]))
}

/// The text of a part: UCS-2, or the GSM default alphabet's characters that ASCII shares
/// (all the tests send in it).
fn decode(coding: DataCoding, bytes: &[u8]) -> String {
    if coding == DataCoding::Ucs2 {
        let units: Vec<u16> =
            bytes.chunks(2).map(|pair| u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)])).collect();
        return String::from_utf16_lossy(&units);
    }
    bytes
        .iter()
        .map(|&b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b' '
            | b'.'
            | b','
            | b':'
            | b'-'
            | b'/'
            | b'('
            | b')'
            | b'?'
            | b'!' => b as char,
            b'\n' => '\n',
            _ => char::REPLACEMENT_CHARACTER,
        })
        .collect()
}

enum Step {
    Go,
    Close,
    /// Close mid-window: what was read is dropped unanswered, the answers already sent still
    /// arrive (the write side is shut first, then the rest read and thrown away), as when a
    /// gateway restarts.
    Drop,
}

async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let mut link = Framed::new(stream, CommandCodec::new());
    let mut bound = false;
    let mut receipt_sequence = 0x4000_0000_u32;
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    loop {
        let step = tokio::select! {
            frame = link.next() => match frame {
                Some(Ok(command)) => answer(&mut link, command, &shared, &mut bound).await,
                _ => Step::Close,
            },
            _ = tick.tick(), if bound => send_due_receipts(&mut link, &shared, &mut receipt_sequence).await,
        };
        match step {
            Step::Go => {}
            Step::Close => return,
            Step::Drop => {
                let _ = tokio::io::AsyncWriteExt::shutdown(link.get_mut()).await;
                while let Some(Ok(_)) = link.next().await {}
                return;
            }
        }
    }
}

type Link = Framed<TcpStream, CommandCodec>;

async fn reply(link: &mut Link, status: CommandStatus, sequence: u32, pdu: impl Into<Pdu>) -> Step {
    match link.send(Command::new(status, sequence, pdu)).await {
        Ok(()) => Step::Go,
        Err(_) => Step::Close,
    }
}

async fn answer(link: &mut Link, command: Command, shared: &Shared, bound: &mut bool) -> Step {
    let sequence = command.sequence_number();
    match command.pdu() {
        Some(Pdu::BindTransceiver(bind)) => {
            let accepted = {
                let behaviour = lock(&shared.behaviour);
                bind.system_id.to_string() == behaviour.system_id && bind.password.to_string() == behaviour.password
            };
            {
                let mut log = lock(&shared.log);
                if accepted { log.binds += 1 } else { log.refused_binds += 1 }
            }
            *bound = accepted;
            let system_id = COctetString::from_str("SMSCSIM").unwrap_or_default();
            let status = if accepted { CommandStatus::EsmeRok } else { CommandStatus::EsmeRinvpaswd };
            reply(link, status, sequence, BindTransceiverResp::builder().system_id(system_id).build()).await
        }
        Some(_) if !*bound => reply(link, CommandStatus::EsmeRinvbndsts, sequence, Pdu::GenericNack).await,
        Some(Pdu::SubmitSm(submit)) => match take(shared, submit) {
            Taken::Drop => Step::Drop,
            Taken::Refused(status) => reply(link, status, sequence, SubmitSmResp::default()).await,
            Taken::Accepted(message_id) => {
                let id = COctetString::from_str(&message_id).unwrap_or_default();
                reply(link, CommandStatus::EsmeRok, sequence, SubmitSmResp::builder().message_id(id).build()).await
            }
        },
        Some(Pdu::EnquireLink) => {
            lock(&shared.log).enquire_links += 1;
            reply(link, CommandStatus::EsmeRok, sequence, Pdu::EnquireLinkResp).await
        }
        Some(Pdu::EnquireLinkResp) => Step::Go,
        Some(Pdu::Unbind) => {
            let _ = reply(link, CommandStatus::EsmeRok, sequence, Pdu::UnbindResp).await;
            Step::Close
        }
        _ => Step::Go,
    }
}

/// What the SMSC does with a submit.
enum Taken {
    Drop,
    Refused(CommandStatus),
    Accepted(String),
}

fn take(shared: &Shared, submit: &rusmpp::pdus::SubmitSm) -> Taken {
    let behaviour = lock(&shared.behaviour).clone();
    let mut log = lock(&shared.log);
    log.submits += 1;
    let count = log.submits;
    if behaviour.drop_on.contains(&count) {
        log.drops += 1;
        return Taken::Drop;
    }
    let destination = submit.destination_addr.to_string();
    if behaviour.throttle_every > 0 && count.is_multiple_of(behaviour.throttle_every) {
        log.throttled += 1;
        return Taken::Refused(CommandStatus::EsmeRthrottled);
    }
    if let Some(status) = behaviour.refuse.get(&destination) {
        return Taken::Refused(*status);
    }
    let message_id = format!("{:08X}", log.accepted.len() + 1);
    log.accepted.push(Accepted {
        message_id: message_id.clone(),
        source: submit.source_addr.to_string(),
        destination: destination.clone(),
        data_coding: submit.data_coding,
        short_message: submit.short_message().as_ref().to_vec(),
        udhi: u8::from(submit.esm_class) & 0x40 != 0,
    });
    let plan = behaviour.receipts_for.get(&destination).copied().unwrap_or(behaviour.receipts);
    if let ReceiptPlan::After(delay, outcome) = plan {
        lock(&shared.receipts_due).push((Instant::now() + delay, message_id.clone(), outcome, destination));
    }
    Taken::Accepted(message_id)
}

async fn send_due_receipts(link: &mut Link, shared: &Shared, sequence: &mut u32) -> Step {
    let now = Instant::now();
    let due: Vec<_> = {
        let mut waiting = lock(&shared.receipts_due);
        let (due, later) = waiting.drain(..).partition(|(at, ..)| *at <= now);
        *waiting = later;
        due
    };
    for (index, (at, message_id, outcome, destination)) in due.iter().enumerate() {
        *sequence += 1;
        let text = receipt::text(message_id, *outcome);
        let deliver = DeliverSm::builder()
            .source_addr(COctetString::from_str(destination).unwrap_or_default())
            .esm_class(EsmClass {
                message_type: MessageType::ShortMessageContainsMCDeliveryReceipt,
                ..Default::default()
            })
            .short_message(OctetString::from_vec(text.into_bytes()).unwrap_or_default())
            .build();
        if link.send(Command::new(CommandStatus::EsmeRok, *sequence, deliver)).await.is_err() {
            lock(&shared.receipts_due)
                .extend(due[index..].iter().map(|(_, id, outcome, to)| (*at, id.clone(), *outcome, to.clone())));
            return Step::Close;
        }
        lock(&shared.log).receipts_sent += 1;
    }
    Step::Go
}
