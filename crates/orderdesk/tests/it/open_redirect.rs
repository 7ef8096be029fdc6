//! Issue #11 item 4: the login's `next` cannot send the browser to another
//! site, even in the shapes a browser normalises into `//other.host`.

use orderdesk_store::Role;

use crate::browser::{browser, click, js, type_into, wait_js};
use crate::dashboard::{add_user, PASSWORD};
use crate::helpers::{Backend, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_in_with_a_next_browsers_normalise_offsite_stays_on_this_origin() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let b = browser(false).await;
    let origin = app.base.clone();
    // Tab, newline and backslash shapes: Chromium drops the first two and
    // reads `\` as `/`, so each would become `//evil.example`.
    for next in [
        "%2F%09%2Fevil.example",
        "%2F%0A%2Fevil.example",
        "%2F%5Cevil.example",
    ] {
        b.client.delete_all_cookies().await.unwrap();
        b.client
            .goto(&app.url(&format!("/login?next={next}")))
            .await
            .unwrap();
        type_into(&b, "#email", "owner@shop.test").await;
        type_into(&b, "#password", PASSWORD).await;
        click(&b, "form button[type=submit]").await;
        wait_js(&b, "document.readyState === 'complete' && location.href !== 'about:blank' && !location.pathname.startsWith('/login')").await;
        assert_eq!(
            js(&b, "location.origin").await,
            origin.as_str(),
            "next={next} left this site"
        );
        wait_js(&b, "document.body.dataset.page === 'board'").await;
    }
    b.close().await.unwrap();
    app.stop().await;
}
