//! Conformance cases for stored message templates.

use super::*;

pub async fn case_message_templates(store: &dyn Store) {
    assert!(store.message_templates().await.unwrap().is_empty());
    let at = micros(chrono::Utc::now());
    let shipped_hi = crate::MessageTemplate {
        key: "stage.shipped".into(),
        language: "hi".into(),
        body: Some("आपका ऑर्डर #{number} भेज दिया गया है".into()),
        enabled: true,
        whatsapp_template: Some("order_shipped".into()),
        whatsapp_language: Some("hi".into()),
        updated_at: at,
    };
    let approved_off = crate::MessageTemplate {
        key: "stage.approved".into(),
        language: "en".into(),
        body: None,
        enabled: false,
        whatsapp_template: None,
        whatsapp_language: None,
        updated_at: at,
    };
    store.put_message_template(&shipped_hi).await.unwrap();
    store.put_message_template(&approved_off).await.unwrap();
    assert_eq!(
        store.message_templates().await.unwrap(),
        [approved_off.clone(), shipped_hi.clone()],
        "by key, then language"
    );
    let mut on_again = approved_off.clone();
    on_again.enabled = true;
    on_again.body = Some("Approved: #{number}".into());
    store.put_message_template(&on_again).await.unwrap();
    assert_eq!(
        store.message_templates().await.unwrap(),
        [on_again, shipped_hi]
    );
}
