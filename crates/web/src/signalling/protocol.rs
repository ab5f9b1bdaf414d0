//! The signalling messages of a call, as JSON text frames (documented in docs/INTERVIEWS.md).
//! A frame from a browser is read into [`Message`] (anything else is refused) and relayed
//! re-written from the checked fields only, with who sent it.

use serde::{Deserialize, Serialize};

/// Largest frame read from a party.
pub const MAX_FRAME: usize = 64 * 1024;
const MAX_SDP: usize = 32 * 1024;
const MAX_CANDIDATE: usize = 2 * 1024;
const MAX_TAG: usize = 256;

/// Who is in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Applicant,
    Officer,
}

/// One ICE candidate, as `RTCIceCandidateInit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Candidate {
    pub candidate: String,
    pub sdp_mid: Option<String>,
    #[serde(rename = "sdpMLineIndex")]
    pub sdp_m_line_index: Option<u16>,
    pub username_fragment: Option<String>,
}

/// What a party says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Message {
    /// I am here (sent on joining); the other side answers `here`.
    Hello,
    Here,
    /// The officer's session description, starting (or restarting) the call.
    Offer {
        sdp: String,
    },
    /// The applicant's answer to it.
    Answer {
        sdp: String,
    },
    Candidate {
        candidate: Candidate,
    },
    Hangup,
}

/// Why a frame was not relayed; the code goes back to its sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Malformed,
    TooLarge,
    /// The applicant may not offer, the officer may not answer.
    NotYourTurn,
    /// The officer offers only once the call is started.
    CallNotStarted,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Malformed => "signal_malformed",
            Refusal::TooLarge => "signal_too_large",
            Refusal::NotYourTurn => "signal_not_your_turn",
            Refusal::CallNotStarted => "call_not_started",
        }
    }
}

impl Message {
    /// Reads a frame from `role`'s party: well-formed, within bounds, theirs to send.
    pub fn read(frame: &str, role: Role) -> Result<Self, Refusal> {
        if frame.len() > MAX_FRAME {
            return Err(Refusal::TooLarge);
        }
        let value: serde_json::Value = serde_json::from_str(frame).map_err(|_| Refusal::Malformed)?;
        let message: Message = serde_json::from_value(value.clone()).map_err(|_| Refusal::Malformed)?;
        // Serde lets a unit variant carry extra fields: the frame must hold exactly the
        // message's own fields.
        let keys = |v: &serde_json::Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
        if keys(&value) != keys(&serde_json::to_value(&message).map_err(|_| Refusal::Malformed)?) {
            return Err(Refusal::Malformed);
        }
        let within = match &message {
            Message::Offer { sdp } | Message::Answer { sdp } => sdp.len() <= MAX_SDP,
            Message::Candidate { candidate } => {
                candidate.candidate.len() <= MAX_CANDIDATE
                    && candidate.sdp_mid.as_ref().is_none_or(|m| m.len() <= MAX_TAG)
                    && candidate.username_fragment.as_ref().is_none_or(|u| u.len() <= MAX_TAG)
            }
            Message::Hello | Message::Here | Message::Hangup => true,
        };
        if !within {
            return Err(Refusal::TooLarge);
        }
        match (&message, role) {
            (Message::Offer { .. }, Role::Applicant) | (Message::Answer { .. }, Role::Officer) => {
                Err(Refusal::NotYourTurn)
            }
            _ => Ok(message),
        }
    }

    /// The frame relayed to the other side: the message and who sent it.
    pub fn relayed(&self, from: Role) -> String {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(object) = value.as_object_mut() {
            object.insert("from".into(), serde_json::to_value(from).unwrap_or_default());
        }
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_side_sends_only_its_own_messages_and_only_known_fields_pass() {
        let offer = r#"{"type":"offer","sdp":"v=0\r\n"}"#;
        assert_eq!(Message::read(offer, Role::Officer), Ok(Message::Offer { sdp: "v=0\r\n".into() }));
        assert_eq!(Message::read(offer, Role::Applicant), Err(Refusal::NotYourTurn));
        let answer = r#"{"type":"answer","sdp":"v=0"}"#;
        assert_eq!(Message::read(answer, Role::Officer), Err(Refusal::NotYourTurn));
        let candidate = r#"{"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":null}}"#;
        let read = Message::read(candidate, Role::Applicant).expect("a candidate");
        let relayed: serde_json::Value = serde_json::from_str(&read.relayed(Role::Applicant)).expect("json");
        assert_eq!(relayed["from"], "applicant");
        assert_eq!(relayed["candidate"]["sdpMLineIndex"], 0);
        assert_eq!(Message::read(r#"{"type":"hello","extra":1}"#, Role::Officer), Err(Refusal::Malformed));
        assert_eq!(Message::read(r#"{"type":"dial"}"#, Role::Officer), Err(Refusal::Malformed));
        assert_eq!(Message::read("not json", Role::Officer), Err(Refusal::Malformed));
        let huge = format!(r#"{{"type":"offer","sdp":"{}"}}"#, "a".repeat(MAX_SDP + 1));
        assert_eq!(Message::read(&huge, Role::Officer), Err(Refusal::TooLarge));
        assert_eq!(Message::read(&"x".repeat(MAX_FRAME + 1), Role::Officer), Err(Refusal::TooLarge));
    }
}
