//! Supplements by e-mail (the guide's Step 5 图 5, "邮件上传"): while an order waits for
//! supplementary materials, its applicant may mail them to the order's own address; each
//! attachment passes the same intake as an upload and is added to the order's "other
//! materials". Mail from anyone but the order's submitter, or for an order that asks for
//! nothing, is dropped (and logged by order id only).

use crate::error::AppError;
use crate::service::heavy_work;
use crate::service::order_files::StoredFile;
use crate::service::orders::{self, Outcome, Principal};
use crate::state::AppState;
use lingshi_domain::order::OrderState;
use lingshi_integrations::inbound::InboundMail;

/// The address an applicant mails the supplements of order `number` to.
pub fn supplement_address(base: &str, number: &str) -> Option<String> {
    let (local, domain) = base.split_once('@')?;
    Some(format!("{local}+{number}@{domain}"))
}

/// The order number in a recipient `local+NUMBER@domain`, if the base address matches.
fn order_number(base: &str, recipient: &str) -> Option<String> {
    let (base_local, base_domain) = base.split_once('@')?;
    let (local, domain) = recipient.trim().trim_matches(['<', '>']).rsplit_once('@')?;
    let number = local.strip_prefix(base_local)?.strip_prefix('+')?;
    let valid = domain.eq_ignore_ascii_case(base_domain)
        && number.len() <= 32
        && number.chars().all(|c| c.is_ascii_alphanumeric());
    valid.then(|| number.to_ascii_uppercase())
}

/// Takes one message; returns how many attachments were added.
pub async fn accept(state: &AppState, mail: InboundMail) -> Result<usize, AppError> {
    let Some(base) = state.settings.supplement_mail.as_deref() else { return Ok(0) };
    let mut added = 0;
    for number in mail.to.iter().filter_map(|to| order_number(base, to)) {
        let Some(order) = lingshi_storage::orders::find_by_number(&state.db, &state.vault, &number).await? else {
            continue;
        };
        let Some(submitter) = order.submitter_id.as_deref() else { continue };
        let Some(account) = lingshi_storage::accounts::find(&state.db, submitter).await? else { continue };
        if !account.login.eq_ignore_ascii_case(mail.from.trim()) || order.state != OrderState::SupplementRequired {
            tracing::warn!(order.id = %order.id, "supplement mail not taken: not the submitter, or nothing asked");
            continue;
        }
        for attachment in &mail.attachments {
            let limits = state.settings.photo_limits;
            let bytes = attachment.clone();
            let taken = heavy_work::run(move || lingshi_photo::take_material(&bytes, limits)).await?;
            let Ok(material) = taken else {
                tracing::warn!(order.id = %order.id, "a mailed attachment was not an acceptable file");
                continue;
            };
            let other = lingshi_domain::materials::Material::Other.code();
            let stored = StoredFile::store(state, other, material.kind, &material.bytes, None).await?;
            orders::change_as(state, Principal::Applicant(&account), &order.id, None, stored.attach(false), |loaded| {
                if loaded.order.state == OrderState::SupplementRequired {
                    Ok(Some(Outcome::event("supplement_by_mail", None)))
                } else {
                    Err(AppError::Conflict("order_not_draft"))
                }
            })
            .await?;
            added += 1;
        }
    }
    Ok(added)
}

/// Takes messages from the inbound server until it stops: bounces are recorded, the rest
/// taken as supplements.
pub async fn run(state: AppState, mut inbox: tokio::sync::mpsc::Receiver<InboundMail>) {
    while let Some(mail) = inbox.recv().await {
        if let Some(bounce) = &mail.bounce {
            if let Err(error) = crate::service::bounces::record(&state, bounce).await {
                tracing::error!(error.cause = %error.diagnostic(), "could not record a bounce");
            }
            continue;
        }
        if let Err(error) = accept(&state, mail).await {
            tracing::error!(error.code = error.code(), "could not take a supplement mail");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_number_is_read_from_the_address_and_nothing_else() {
        let base = "supplement@consular.example";
        assert_eq!(
            supplement_address(base, "BE261125ABCDEF").as_deref(),
            Some("supplement+BE261125ABCDEF@consular.example")
        );
        assert_eq!(
            order_number(base, "<supplement+be261125abcdef@Consular.Example>").as_deref(),
            Some("BE261125ABCDEF")
        );
        assert_eq!(order_number(base, "supplement@consular.example"), None);
        assert_eq!(order_number(base, "supplement+X@other.example"), None);
        assert_eq!(order_number(base, "supplement+a'b@consular.example"), None);
    }
}
