//! Where a first-time customer's address form starts: what WhatsApp
//! already told us (profile name, number) and the country the number's
//! calling code names. Pure, so the form handler only asks.

use crate::{Address, Customer};

/// What a first-time customer starts from: WhatsApp already told us their
/// profile name and number, and the number's calling code usually says the
/// country. They can change all of it.
pub fn starting_address(customer: &Customer) -> Address {
    let wa_id = customer
        .wa_id
        .as_deref()
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
    Address {
        name: customer.name.clone().unwrap_or_default(),
        phone: wa_id.map(|id| format!("+{id}")).unwrap_or_default(),
        country: wa_id
            .and_then(country_of_number)
            .unwrap_or_default()
            .to_owned(),
        ..Address::default()
    }
}

/// The country of an international number, for calling codes that name
/// exactly one country. `+1` (US, Canada, the Caribbean) and `+7` (Russia,
/// Kazakhstan) are shared, so they suggest nothing.
fn country_of_number(digits: &str) -> Option<&'static str> {
    const CODES: &[(&str, &str)] = &[
        ("20", "EG"),
        ("233", "GH"),
        ("234", "NG"),
        ("254", "KE"),
        ("255", "TZ"),
        ("256", "UG"),
        ("27", "ZA"),
        ("31", "NL"),
        ("33", "FR"),
        ("34", "ES"),
        ("39", "IT"),
        ("44", "GB"),
        ("49", "DE"),
        ("52", "MX"),
        ("54", "AR"),
        ("55", "BR"),
        ("57", "CO"),
        ("60", "MY"),
        ("61", "AU"),
        ("62", "ID"),
        ("63", "PH"),
        ("64", "NZ"),
        ("65", "SG"),
        ("66", "TH"),
        ("84", "VN"),
        ("880", "BD"),
        ("90", "TR"),
        ("91", "IN"),
        ("92", "PK"),
        ("94", "LK"),
        ("965", "KW"),
        ("966", "SA"),
        ("968", "OM"),
        ("971", "AE"),
        ("973", "BH"),
        ("974", "QA"),
        ("977", "NP"),
    ];
    // Calling codes are prefix-free, so at most one entry matches.
    CODES
        .iter()
        .find(|(code, _)| digits.starts_with(code))
        .map(|(_, country)| *country)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_time_customer_starts_from_their_whatsapp_name_and_number() {
        let mut customer = Customer {
            wa_id: Some("919876543210".into()),
            user_id: None,
            name: Some("Asha".into()),
        };
        let start = starting_address(&customer);
        assert_eq!(start.name, "Asha");
        assert_eq!(start.phone, "+919876543210");
        assert_eq!(start.country, "IN");
        assert_eq!(start.line1, "");
        customer.wa_id = Some("15551234567".into());
        assert_eq!(starting_address(&customer).country, "", "+1 is shared");
        customer.wa_id = Some("447700900123".into());
        assert_eq!(starting_address(&customer).country, "GB");
        customer.wa_id = None;
        assert_eq!(starting_address(&customer).phone, "");
    }
}
