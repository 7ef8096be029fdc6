//! A customer's ratings on their page in headless Chromium (#19): the
//! average next to their figures, each order's stars and comment.
//! Desktop and a 412 px phone; screenshots in `target/screenshots/ratings/`.

use orderdesk_store::Role;
use orderdesk_testkit::browser::Browser;
use serde_json::json;

use crate::browser::{browser, js, log_in, shot, wait_js};
use crate::dashboard::add_user;
use crate::helpers::Backend;
use crate::ratings::{rating_app, two_rated};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_page_shows_the_average_and_each_orders_rating() {
    let (graph, app) = rating_app(Backend::Sqlite).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let wa = "919822200093";
    let comment = "The box arrived dented, the tea was fine";
    two_rated(&app, &graph, wa, [5, 3], comment).await;

    for phone in [false, true] {
        let suffix = if phone { "-412" } else { "" };
        let b = if phone {
            Browser::sized(412, 915, true).await.unwrap()
        } else {
            browser(false).await
        };
        log_in(&b, &app, "owner@shop.test").await;
        b.client
            .goto(&app.url(&format!("/customers/{wa}")))
            .await
            .unwrap();
        wait_js(&b, "document.body.dataset.page === 'customer'").await;
        let average = js(&b, "document.querySelector('#average-rating').textContent").await;
        assert_eq!(average, json!("4.0 / 5 (2 ratings)"));
        let stars = js(
            &b,
            "Array.from(document.querySelectorAll('ul.customer-orders .order-rating')).map(e => e.textContent)",
        )
        .await;
        assert_eq!(stars, json!(["★ 3/5", "★ 5/5"]));
        let shown = js(
            &b,
            "document.querySelector('ul.customer-orders .order-comment').textContent",
        )
        .await;
        assert_eq!(shown, json!(comment));
        if phone {
            let scroll = js(
                &b,
                "document.documentElement.scrollWidth <= window.innerWidth",
            )
            .await;
            assert_eq!(scroll, json!(true), "no horizontal scroll at 412 px");
        }
        shot(&b, &format!("ratings/customer{suffix}")).await;
        js(
            &b,
            "(document.getElementById('corders-title').scrollIntoView(), true)",
        )
        .await;
        shot(&b, &format!("ratings/orders{suffix}")).await;
        b.close().await.unwrap();
    }
    app.stop().await;
}
