//! One bound transceiver session with the SMSC, kept by a task for the life of the process:
//! it binds, keeps the link alive with `enquire_link`, sends the `submit_sm` it is handed with
//! up to `window` of them awaiting their response, answers the SMSC's `deliver_sm` (passing
//! delivery receipts on) and, when the link breaks, fails what was in flight as
//! [`SubmitError::Disconnected`] and binds again after a growing pause.
//!
//! A request still waiting in the queue when its sender gives up is withdrawn and never
//! sent; once sent, it is answered by the SMSC or failed by the session within the response
//! timeout, so the sender always learns what became of a part it handed over.

use super::SmppConfig;
use super::receipt::{self, Receipt};
use futures_util::{SinkExt, StreamExt};
use rusmpp::pdus::{BindTransceiver, DeliverSmResp, SubmitSm};
use rusmpp::tokio_codec::CommandCodec;
use rusmpp::types::COctetString;
use rusmpp::values::{InterfaceVersion, Npi, Ton};
use rusmpp::{Command, CommandStatus, Pdu};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::codec::Framed;

/// Why a part was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitError {
    /// The link broke (or was never up) while the part was in flight: send it again.
    Disconnected,
    /// No bound session took the part before the sender's deadline.
    TimedOut,
    /// `ESME_RTHROTTLED`: the SMSC asks for a slower pace.
    Throttled,
    /// The SMSC refused the destination: sending again will not help.
    Rejected(u32),
    /// Any other refusal (`ESME_RSYSERR`, `ESME_RMSGQFUL`, …): the SMSC may accept it later.
    Failed(u32),
}

const QUEUED: u8 = 0;
const TAKEN: u8 = 1;
const WITHDRAWN: u8 = 2;

struct Request {
    part: SubmitSm,
    claim: Arc<AtomicU8>,
    reply: oneshot::Sender<Result<String, SubmitError>>,
}

/// Hands parts to the session task.
#[derive(Clone)]
pub struct SessionHandle {
    requests: mpsc::Sender<Request>,
}

const QUEUE: usize = 1024;
const FIRST_PAUSE: Duration = Duration::from_millis(100);
const LONGEST_PAUSE: Duration = Duration::from_secs(30);

/// Starts the session task; receipts go to `receipts`.
pub fn start(config: SmppConfig, receipts: mpsc::UnboundedSender<Receipt>) -> SessionHandle {
    let (requests, queue) = mpsc::channel(QUEUE);
    tokio::spawn(keep_bound(config, queue, receipts));
    SessionHandle { requests }
}

impl SessionHandle {
    /// Sends `part` and waits for the SMSC's message id. Gives up with
    /// [`SubmitError::TimedOut`] if no session took the part by `deadline`.
    pub async fn submit(&self, part: SubmitSm, deadline: Instant) -> Result<String, SubmitError> {
        let claim = Arc::new(AtomicU8::new(QUEUED));
        let (reply, answer) = oneshot::channel();
        let request = Request { part, claim: claim.clone(), reply };
        match tokio::time::timeout_at(deadline, self.requests.send(request)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Err(SubmitError::Disconnected),
            Err(_) => return Err(SubmitError::TimedOut),
        }
        let mut answer = std::pin::pin!(answer);
        tokio::select! {
            result = &mut answer => return result.unwrap_or(Err(SubmitError::Disconnected)),
            () = tokio::time::sleep_until(deadline) => {}
        }
        if claim.compare_exchange(QUEUED, WITHDRAWN, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            return Err(SubmitError::TimedOut);
        }
        answer.await.unwrap_or(Err(SubmitError::Disconnected))
    }
}

type Link = Framed<TcpStream, CommandCodec>;

async fn keep_bound(config: SmppConfig, mut queue: mpsc::Receiver<Request>, receipts: mpsc::UnboundedSender<Receipt>) {
    let mut pause = FIRST_PAUSE;
    loop {
        match bind(&config).await {
            Ok(link) => {
                pause = FIRST_PAUSE;
                tracing::info!(smpp.smsc = %config.address, "SMPP session bound");
                match serve(&config, link, &mut queue, &receipts).await {
                    Ended::Closed => return,
                    Ended::Lost(why) => {
                        tracing::warn!(smpp.smsc = %config.address, error.cause = why, "SMPP session lost; binding again")
                    }
                }
            }
            Err(why) => {
                tracing::warn!(smpp.smsc = %config.address, error.cause = %why, retry_in_ms = pause.as_millis() as u64, "SMPP bind failed")
            }
        }
        if queue.is_closed() {
            return;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(LONGEST_PAUSE);
    }
}

async fn bind(config: &SmppConfig) -> Result<Link, String> {
    let stream = tokio::time::timeout(config.response_timeout, TcpStream::connect(&config.address))
        .await
        .map_err(|_| "connect timed out".to_owned())?
        .map_err(|e| format!("connect: {}", e.kind()))?;
    let mut link = Framed::new(stream, CommandCodec::new());
    let request = BindTransceiver::builder()
        .system_id(bind_field(&config.system_id)?)
        .password(bind_field(&config.password)?)
        .system_type(bind_field(&config.system_type)?)
        .interface_version(InterfaceVersion::Smpp3_4)
        .addr_ton(Ton::Unknown)
        .addr_npi(Npi::Unknown)
        .address_range(COctetString::empty())
        .build();
    link.send(Command::new(CommandStatus::EsmeRok, 1, request)).await.map_err(|e| e.to_string())?;
    let answer = tokio::time::timeout(config.response_timeout, link.next())
        .await
        .map_err(|_| "no bind response".to_owned())?
        .ok_or("closed during bind")?
        .map_err(|e| e.to_string())?;
    match answer.pdu() {
        Some(Pdu::BindTransceiverResp(_)) if answer.status() == CommandStatus::EsmeRok => Ok(link),
        Some(Pdu::BindTransceiverResp(_)) | Some(Pdu::GenericNack) => {
            Err(format!("bind refused (status 0x{:08X})", u32::from(answer.status())))
        }
        _ => Err("unexpected answer to bind".to_owned()),
    }
}

fn bind_field<const N: usize>(value: &str) -> Result<COctetString<1, N>, String> {
    COctetString::from_str(value).map_err(|_| "a bind field is too long".to_owned())
}

enum Ended {
    /// Every handle is gone: the process is stopping.
    Closed,
    Lost(&'static str),
}

struct InFlight {
    reply: oneshot::Sender<Result<String, SubmitError>>,
    sent: Instant,
}

struct Session<'a> {
    config: &'a SmppConfig,
    link: Link,
    in_flight: HashMap<u32, InFlight>,
    next_sequence: u32,
    /// When the unanswered `enquire_link` went out.
    probing_since: Option<Instant>,
}

impl Session<'_> {
    fn sequence(&mut self) -> u32 {
        self.next_sequence = if self.next_sequence >= 0x7FFF_FFFF { 2 } else { self.next_sequence + 1 };
        self.next_sequence
    }

    fn overdue(&self, now: Instant) -> bool {
        let late = |since: Instant| now.duration_since(since) > self.config.response_timeout;
        self.probing_since.is_some_and(late) || self.in_flight.values().any(|flight| late(flight.sent))
    }

    /// Fails everything in flight: the link is gone.
    fn abandon(&mut self) {
        for (_, flight) in self.in_flight.drain() {
            let _ = flight.reply.send(Err(SubmitError::Disconnected));
        }
    }

    async fn send(&mut self, command: Command) -> Result<(), &'static str> {
        self.link.send(command).await.map_err(|_| "write failed")
    }

    async fn submit(&mut self, request: Request) -> Result<(), &'static str> {
        if request.claim.compare_exchange(QUEUED, TAKEN, Ordering::AcqRel, Ordering::Acquire).is_err() {
            return Ok(());
        }
        let sequence = self.sequence();
        self.in_flight.insert(sequence, InFlight { reply: request.reply, sent: Instant::now() });
        self.send(Command::new(CommandStatus::EsmeRok, sequence, request.part)).await
    }

    /// Answers or settles what the SMSC sent.
    async fn receive(
        &mut self,
        command: Command,
        receipts: &mpsc::UnboundedSender<Receipt>,
    ) -> Result<(), &'static str> {
        let sequence = command.sequence_number();
        match command.pdu() {
            Some(Pdu::SubmitSmResp(response)) => {
                self.settle(sequence, command.status(), Some(response.message_id().to_string()))
            }
            Some(Pdu::GenericNack) => self.settle(sequence, command.status(), None),
            Some(Pdu::DeliverSm(deliver)) => {
                if let Some(receipt) = receipt::read(deliver) {
                    let _ = receipts.send(receipt);
                }
                self.send(Command::new(CommandStatus::EsmeRok, sequence, DeliverSmResp::default())).await?;
            }
            Some(Pdu::EnquireLink) => {
                self.send(Command::new(CommandStatus::EsmeRok, sequence, Pdu::EnquireLinkResp)).await?
            }
            Some(Pdu::EnquireLinkResp) => self.probing_since = None,
            Some(Pdu::Unbind) => {
                let _ = self.send(Command::new(CommandStatus::EsmeRok, sequence, Pdu::UnbindResp)).await;
                return Err("the SMSC unbound");
            }
            _ if command.id().is_operation() => {
                self.send(Command::new(CommandStatus::EsmeRinvcmdid, sequence, Pdu::GenericNack)).await?
            }
            _ => {}
        }
        Ok(())
    }

    fn settle(&mut self, sequence: u32, status: CommandStatus, message_id: Option<String>) {
        let Some(flight) = self.in_flight.remove(&sequence) else { return };
        let result = match (status, message_id) {
            (CommandStatus::EsmeRok, Some(id)) if !id.is_empty() => Ok(id),
            (status, _) => Err(refusal(status)),
        };
        let _ = flight.reply.send(result);
    }
}

/// What a refusal status means for the part.
fn refusal(status: CommandStatus) -> SubmitError {
    match status {
        CommandStatus::EsmeRthrottled => SubmitError::Throttled,
        CommandStatus::EsmeRinvdstadr | CommandStatus::EsmeRinvdstton | CommandStatus::EsmeRinvdstnpi => {
            SubmitError::Rejected(status.into())
        }
        other => SubmitError::Failed(other.into()),
    }
}

async fn serve(
    config: &SmppConfig,
    link: Link,
    queue: &mut mpsc::Receiver<Request>,
    receipts: &mpsc::UnboundedSender<Receipt>,
) -> Ended {
    let mut session = Session { config, link, in_flight: HashMap::new(), next_sequence: 1, probing_since: None };
    let mut keep_alive = tokio::time::interval_at(Instant::now() + config.enquire_link, config.enquire_link);
    let mut watchdog = tokio::time::interval(config.response_timeout.min(Duration::from_secs(1)));
    let ended = loop {
        let step = tokio::select! {
            request = queue.recv(), if session.in_flight.len() < config.window => match request {
                Some(request) => session.submit(request).await,
                None => {
                    let sequence = session.sequence();
                    let _ = session.send(Command::new(CommandStatus::EsmeRok, sequence, Pdu::Unbind)).await;
                    break Ended::Closed;
                }
            },
            frame = session.link.next() => match frame {
                Some(Ok(command)) => session.receive(command, receipts).await,
                Some(Err(_)) => Err("unreadable PDU"),
                None => Err("the SMSC closed the connection"),
            },
            _ = keep_alive.tick() => {
                let sequence = session.sequence();
                session.probing_since.get_or_insert_with(Instant::now);
                session.send(Command::new(CommandStatus::EsmeRok, sequence, Pdu::EnquireLink)).await
            }
            _ = watchdog.tick() => if session.overdue(Instant::now()) { Err("no response in time") } else { Ok(()) },
        };
        if let Err(why) = step {
            break Ended::Lost(why);
        }
    };
    session.abandon();
    ended
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_sorted_by_what_helps() {
        assert_eq!(refusal(CommandStatus::EsmeRthrottled), SubmitError::Throttled);
        assert_eq!(refusal(CommandStatus::EsmeRinvdstadr), SubmitError::Rejected(0x0B));
        assert_eq!(refusal(CommandStatus::EsmeRsyserr), SubmitError::Failed(0x08));
        assert_eq!(refusal(CommandStatus::EsmeRmsgqful), SubmitError::Failed(0x14));
    }
}
