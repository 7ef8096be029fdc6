//! An agent who sees only their own orders (issue #16) watches their board
//! in headless Chromium while the owner assigns one of their orders to
//! someone else: the card leaves the board without a reload and a toast
//! says where it went. Desktop and a 412 px phone; screenshots in
//! `target/screenshots/agent-board/`.

use orderdesk_store::Role;
use serde_json::json;

use crate::browser::{browser, js, log_in, mark, shot, wait_js};
use crate::dashboard::add_user;
use crate::helpers::{Backend, TestApp};
use crate::staff_orders::{order_one_tea, seed_catalog};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_assigned_away_leaves_the_agents_board_live() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    seed_catalog(&app).await;
    add_user(&app, "agent@shop.test", Role::Agent).await;
    add_user(&app, "other@shop.test", Role::Agent).await;
    let (status, body) =
        crate::settings::put(&app, json!({"ORDERDESK_AGENTS_SEE_OWN_ORDERS": "true"})).await;
    assert_eq!(status, 200, "{body}");

    for phone in [false, true] {
        let suffix = if phone { "-412" } else { "" };
        let mut numbers = Vec::new();
        for wa in ["919822200071", "919822200072"] {
            let n = order_one_tea(&app, wa).await;
            let (status, body) = app
                .post(
                    "/api/v1/orders/bulk",
                    &json!({"numbers": [n], "action": "assign", "assignee": "agent@shop.test"}),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            numbers.push(n);
        }

        let b = browser(phone).await;
        log_in(&b, &app, "agent@shop.test").await;
        b.client.goto(&app.url("/orders")).await.unwrap();
        wait_js(&b, "document.body.dataset.live === 'open'").await;
        for n in &numbers {
            wait_js(&b, &format!("!!document.getElementById('order-{n}')")).await;
        }
        mark(&b).await;

        let (status, body) = app
            .post(
                "/api/v1/orders/bulk",
                &json!({"numbers": [numbers[0]], "action": "assign", "assignee": "other@shop.test"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        wait_js(
            &b,
            &format!("!document.getElementById('order-{}')", numbers[0]),
        )
        .await;
        let toast = wait_js(
            &b,
            "Array.from(document.querySelectorAll('.toast')).map(t => t.textContent).find(t => t.includes('left your board'))",
        )
        .await;
        assert_eq!(
            toast,
            json!(format!(
                "Order #{} is now assigned to other@shop.test and left your board.",
                numbers[0]
            ))
        );
        assert_eq!(
            js(
                &b,
                &format!("!!document.getElementById('order-{}')", numbers[1])
            )
            .await,
            json!(true),
            "their other order stays"
        );
        // The stage counts follow: the agent has one order fewer.
        let left = if phone { 2 } else { 1 };
        wait_js(
            &b,
            &format!("document.querySelector('[data-count=all]').textContent === '{left}'"),
        )
        .await;
        // Dropped in place, not by reloading the page.
        crate::browser::assert_not_reloaded(&b).await;
        shot(&b, &format!("agent-board/assigned-away{suffix}")).await;
        b.close().await.unwrap();
    }
    app.stop().await;
}
