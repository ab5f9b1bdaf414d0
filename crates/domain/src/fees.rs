//! What an order costs (SPEC §6): the document's fee from the mission's table, plus the
//! annotation's when the old passport is annotated. The one place that knows which line of
//! the table an order pays; seed data and the services name the lines through [`FeeItem`].

use crate::application::{Product, Service};
use crate::mission::{Fee, Money};

/// A line of a mission's fee table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeItem {
    Passport,
    TravelDocument,
    EmergencyTravelDocument,
    Annotation,
}

impl FeeItem {
    /// The key of the line in a mission's table ([`Fee::service`]).
    pub fn code(self) -> &'static str {
        match self {
            FeeItem::Passport => "passport",
            FeeItem::TravelDocument => "travel_document",
            FeeItem::EmergencyTravelDocument => "emergency_travel_document",
            FeeItem::Annotation => "annotation",
        }
    }

    /// The document an order is charged for.
    pub fn document(service: Service, product: Option<Product>) -> FeeItem {
        match (service, product) {
            (Service::EmergencyTravelDocument, _) => FeeItem::EmergencyTravelDocument,
            (_, Some(Product::TravelDocument)) => FeeItem::TravelDocument,
            _ => FeeItem::Passport,
        }
    }
}

/// The amount of `item` in `fees`, if the mission lists it.
pub fn amount(fees: &[Fee], item: FeeItem) -> Option<Money> {
    fees.iter().find(|fee| fee.service == item.code()).map(|fee| fee.amount.clone())
}

/// What an order costs: its document's line, plus the annotation's line when `annotated`
/// (in the same currency); `None` when the mission lists no fee for the document.
pub fn for_order(fees: &[Fee], service: Service, product: Option<Product>, annotated: bool) -> Option<Money> {
    let mut total = amount(fees, FeeItem::document(service, product))?;
    if annotated && let Some(extra) = amount(fees, FeeItem::Annotation).filter(|a| a.currency == total.currency) {
        total.minor += extra.minor;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mission::Localized;

    fn line(item: FeeItem, minor: i64, currency: &str) -> Fee {
        Fee {
            service: item.code().into(),
            label: Localized::new("", ""),
            amount: Money { minor, currency: currency.into() },
        }
    }

    #[test]
    fn an_order_pays_its_document_and_the_annotation_when_annotated() {
        let fees = [
            line(FeeItem::Passport, 1600, "EUR"),
            line(FeeItem::TravelDocument, 1200, "EUR"),
            line(FeeItem::EmergencyTravelDocument, 2500, "EUR"),
            line(FeeItem::Annotation, 300, "EUR"),
        ];
        let eur = |minor| Some(Money { minor, currency: "EUR".into() });
        let passport = Service::PassportOrTravelDocument;
        assert_eq!(for_order(&fees, passport, Some(Product::Passport), false), eur(1600));
        assert_eq!(for_order(&fees, passport, Some(Product::Passport), true), eur(1900));
        assert_eq!(for_order(&fees, passport, Some(Product::TravelDocument), true), eur(1500));
        assert_eq!(for_order(&fees, Service::EmergencyTravelDocument, None, false), eur(2500));
        assert_eq!(for_order(&fees[1..], passport, Some(Product::Passport), false), None, "not listed");
        let other_currency = [line(FeeItem::Passport, 1600, "EUR"), line(FeeItem::Annotation, 20, "CNY")];
        assert_eq!(for_order(&other_currency, passport, Some(Product::Passport), true), eur(1600));
    }
}
