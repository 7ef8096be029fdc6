//! Reconciliation in headless Chromium (issue #15 item 4): cash on
//! delivery not recorded days after delivery stands first on `/payments`,
//! and the number of days is a setting in its own group on `/settings`.
//! Screenshots: `payments-cod-overdue-{desktop,phone}`,
//! `settings-payments-{desktop,phone}` in `target/screenshots/`.

use orderdesk_store::Role;

use crate::browser::{browser, js, log_in, shot, wait_js};
use crate::dashboard::add_user;
use crate::helpers::{Backend, TestApp};
use crate::local_browser::fits;
use crate::reconciliation::cod_delivered_days_ago;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overdue_cod_order_stands_first_on_payments_and_its_days_are_a_setting() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let late = cod_delivered_days_ago(&app, "wamid.cod-shot", "15550004451", 9).await;
    for (phone, name) in [(false, "desktop"), (true, "phone")] {
        let b = browser(phone).await;
        log_in(&b, &app, "owner@shop.test").await;
        b.client.goto(&app.url("/payments")).await.unwrap();
        let first = wait_js(
            &b,
            "(l => l && l.innerText)(document.querySelector('#payments-attention li'))",
        )
        .await;
        let first = first.as_str().unwrap();
        assert!(
            first.starts_with(&format!("#{late}")) && first.contains("9 days after delivery"),
            "{first}"
        );
        fits(&b, "/payments").await;
        shot(&b, &format!("payments-cod-overdue-{name}")).await;

        b.client.goto(&app.url("/settings")).await.unwrap();
        let field = "document.querySelector('#s-orderdesk_cod_overdue_days')";
        wait_js(&b, field).await;
        assert_eq!(
            js(&b, "document.querySelector('#g-payments').textContent").await,
            "Payments"
        );
        assert_eq!(js(&b, &format!("{field}.placeholder")).await, "7");
        js(
            &b,
            "(document.querySelector('#g-payments').scrollIntoView(), true)",
        )
        .await;
        fits(&b, "/settings").await;
        shot(&b, &format!("settings-payments-{name}")).await;
        b.close().await.unwrap();
    }
    app.stop().await;
}
