//! `/settings`: the business's own settings, for owners and admins.
//!
//! Every setting of the configuration table shows here, grouped where a
//! group is known and listed under "Other settings" otherwise, so a setting
//! another part of the product adds is editable with no code here. A value
//! the environment fixes is shown with where it comes from and cannot be
//! changed; the form only sends what changed, through the same use-case as
//! `PUT /api/v1/settings`.

use std::collections::{BTreeMap, HashMap};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::{html, Markup};
use orderdesk_domain::Local;
use orderdesk_engine::settings::{SettingView, SettingsError, Source, LOCALE, TIMEZONE};

use super::admin::Flash;
use super::session::{Manager, Staff, StaffForm};
use super::views::staff_page;
use crate::error::ApiError;
use crate::AppState;

/// The groups of the page: a heading, what it is for, and its settings
/// with their labels. Settings not named here go under "Other settings".
/// A heading, what the group is for, and its settings with their labels.
type Group = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const GROUPS: &[Group] = &[
    (
        "Business profile",
        "Shown to customers on the address form, the payment page and invoices.",
        &[
            ("ORDERDESK_BUSINESS_NAME", "Business name"),
            ("ORDERDESK_BUSINESS_ADDRESS", "Address"),
            ("ORDERDESK_BUSINESS_PHONE", "Phone"),
            ("ORDERDESK_BUSINESS_TAX_ID", "Tax id (GSTIN, VAT, …)"),
            ("ORDERDESK_BUSINESS_LOGO_URL", "Logo URL"),
            ("ORDERDESK_BUSINESS_HOURS", "Business hours"),
        ],
    ),
    (
        "Local time and money",
        "Times on the dashboard, the CSV and customer messages are in this zone; dates and amounts are written the locale's way.",
        &[
            (TIMEZONE, "Time zone (IANA name, e.g. Asia/Kolkata)"),
            (LOCALE, "Locale (e.g. en-IN, en-US, de-DE)"),
            ("ORDERDESK_LANGUAGE", "Language of customer texts"),
        ],
    ),
    (
        "Checkout",
        "How the bot takes an order through address, payment and note.",
        &[
            ("COD_ENABLED", "Offer cash on delivery (true or false)"),
            ("ORDERDESK_NUDGE_AFTER", "Remind an idle customer after (e.g. 1h)"),
            ("ORDERDESK_ABANDON_AFTER", "Abandon an idle checkout after (e.g. 24h)"),
            ("ORDERDESK_ON_NEWER_CART", "A newer cart does to the older order (keep or abandon)"),
        ],
    ),
    (
        "Payments",
        "What stands at the top of the payments page for a person to look at.",
        &[(
            "ORDERDESK_COD_OVERDUE_DAYS",
            "Cash on delivery not recorded this many days after delivery (1 to 365)",
        )],
    ),
];

pub async fn show(State(state): State<AppState>, Manager(staff): Manager) -> Response {
    let texts = texts_section(&state, &staff).await;
    page(&state, &staff, Flash::None, StatusCode::OK, texts).await
}

/// The customer texts' section as it stands (its own module).
async fn texts_section(state: &AppState, staff: &Staff) -> Markup {
    super::settings_texts::section(state, staff, Default::default()).await
}

/// The page; `texts` is the customer texts' section, outside the settings
/// form since it saves on its own.
pub(super) async fn page(
    state: &AppState,
    staff: &Staff,
    flash: Flash,
    status: StatusCode,
    texts: Markup,
) -> Response {
    let panels = super::status_panels::panels(state).await;
    let views = state.engine.settings().view();
    let local = state.engine.settings().local();
    let by_key: HashMap<&str, &SettingView> = views.iter().map(|v| (v.key.as_str(), v)).collect();
    let grouped: Vec<&str> = GROUPS
        .iter()
        .flat_map(|(_, _, keys)| keys.iter().map(|(k, _)| *k))
        .collect();
    let others: Vec<&SettingView> = views
        .iter()
        .filter(|v| !grouped.contains(&v.key.as_str()))
        .collect();
    let body = html! {
        main.narrow.settings {
            h1 { "Settings" }
            (super::admin::flash(&flash))
            p.muted {
                "Changes apply at once on every instance. A value set in the server's environment wins and is shown here as fixed: change it where the server is configured."
            }
            (panels)
            form.settings-form method="post" action="/settings" {
                input type="hidden" name="csrf" value=(staff.csrf);
                @for (title, about, keys) in GROUPS {
                    section.settings-group aria-labelledby={"g-" (slug(title))} {
                        h2 id={"g-" (slug(title))} { (title) }
                        p.muted.small { (about) }
                        @for (key, label) in *keys {
                            @if let Some(view) = by_key.get(key) {
                                (field(view, label, &local))
                            }
                        }
                    }
                }
                section.settings-group aria-labelledby="g-other" {
                    h2 #g-other { "Other settings" }
                    p.muted.small { "Everything else the server reads. Those read only at start or holding credentials are set in its environment." }
                    @for view in &others {
                        (field(view, &label_of(&view.key), &local))
                    }
                }
                div.settings-save {
                    button.primary type="submit" { "Save changes" }
                }
            }
            (texts)
        }
    };
    staff_page(status, staff, "Settings", "settings", body)
}

/// `ORDERDESK_UPI_VPA` → "Upi vpa": a readable fallback for settings the
/// page does not know by name.
fn label_of(key: &str) -> String {
    let words = key
        .strip_prefix("ORDERDESK_")
        .unwrap_or(key)
        .to_ascii_lowercase()
        .replace('_', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn slug(title: &str) -> String {
    title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

fn source_note(view: &SettingView, local: &Local) -> String {
    match (view.source, &view.fixed_reason) {
        (Source::Environment, _) => "Set in the server's environment, which wins.".to_owned(),
        (_, Some(_)) if view.secret => if view.set {
            "A credential: set in the environment."
        } else {
            "A credential: not set."
        }
        .to_owned(),
        (_, Some(_)) => "Read when the server starts: set it in its environment.".to_owned(),
        (Source::Stored, None) => match (&view.updated_by, view.updated_at) {
            (Some(by), Some(at)) => format!(
                "Changed here by {} on {}.",
                by.trim_start_matches("staff:"),
                local.date_time_zoned(at)
            ),
            _ => "Changed here.".to_owned(),
        },
        (Source::Default, None) => "The default.".to_owned(),
        (Source::Unset, None) => "Not set.".to_owned(),
    }
}

fn field(view: &SettingView, label: &str, local: &Local) -> Markup {
    let id = format!("s-{}", view.key.to_ascii_lowercase());
    let hint = format!("{id}-hint");
    let value = view.value.clone().unwrap_or_default();
    let multiline = view.key.ends_with("_ADDRESS") || view.key.ends_with("_HOURS");
    html! {
        div.setting data-key=(view.key) data-source=(source_name(view.source)) {
            label for=(id) { (label) }
            @if !view.editable {
                input id=(id) type="text" value=(if view.secret { if view.set { "••••••" } else { "" } } else { &value }) readonly aria-describedby=(hint);
            } @else if multiline {
                textarea id=(id) name=(view.key) rows="2" aria-describedby=(hint) { (value) }
            } @else {
                input id=(id) type="text" name=(view.key) value=(value) aria-describedby=(hint)
                    placeholder=[view.default.as_deref()] autocomplete="off";
            }
            p.small.muted id=(hint) { (source_note(view, local)) }
        }
    }
}

fn source_name(source: Source) -> &'static str {
    match source {
        Source::Environment => "environment",
        Source::Stored => "stored",
        Source::Default => "default",
        Source::Unset => "unset",
    }
}

/// The posted form: every editable setting by key, plus `csrf`.
pub async fn save(
    State(state): State<AppState>,
    f: StaffForm<BTreeMap<String, String>>,
) -> Response {
    let staff = &f.staff;
    if let Some(refused) = f.refused_unless_manager("change settings") {
        return refused;
    }
    let settings = state.engine.settings();
    // Only what changed is sent, so a fixed value the form did not carry
    // and an untouched field never count as changes.
    let current: HashMap<String, String> = settings
        .view()
        .into_iter()
        .map(|v| (v.key, v.value.unwrap_or_default()))
        .collect();
    let changes: BTreeMap<String, Option<String>> = f
        .form
        .iter()
        .filter(|(key, _)| key.as_str() != "csrf")
        .filter(|(key, value)| current.get(*key).map(|c| c.trim()) != Some(value.trim()))
        .map(|(key, value)| (key.clone(), Some(value.clone())))
        .collect();
    let texts = texts_section(&state, staff).await;
    if changes.is_empty() {
        return page(
            &state,
            staff,
            Flash::Info("Nothing changed.".to_owned()),
            StatusCode::OK,
            texts,
        )
        .await;
    }
    let count = changes.len();
    let by = format!("staff:{}", staff.user.email);
    match settings
        .update(state.engine.store().as_ref(), changes, &by, Utc::now())
        .await
    {
        Ok(()) => {
            tracing::info!(by = %staff.user.email, count, "settings changed");
            let saved = if count == 1 {
                "1 setting saved.".to_owned()
            } else {
                format!("{count} settings saved.")
            };
            page(&state, staff, Flash::Info(saved), StatusCode::OK, texts).await
        }
        Err(SettingsError::Store(e)) => ApiError::from(e).into_response(),
        Err(e) => {
            let status = match e {
                SettingsError::FixedByEnvironment { .. } | SettingsError::AtStart { .. } => {
                    StatusCode::CONFLICT
                }
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            page(
                &state,
                staff,
                Flash::Error(format!("Nothing was saved: {e}.")),
                status,
                texts,
            )
            .await
        }
    }
}
