//! A search for a word in more orders than it counts (issue #16), in
//! headless Chromium: the board's tabs say "1000+" rather than a number
//! that looks exact, and keep saying so when a new order refreshes them
//! live. Desktop and a 412 px phone; screenshots in
//! `target/screenshots/search-counts/`.

use orderdesk_store::Role;

use crate::browser::{browser, js, log_in, shot, wait_js};
use crate::dashboard::add_user;
use crate::helpers::{Backend, TestApp};
use crate::search::post_chai_lovers;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tabs_of_a_common_word_say_there_are_more() {
    // SQLite: its counts stop at 1,000 (PostgreSQL's window would count
    // all of these exactly).
    let app = TestApp::spawn(Backend::Sqlite).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    post_chai_lovers(&app, 0..1_001).await;
    app.wait_for_orders(200).await;
    let all_counted = "document.querySelector('[data-count=\"all\"]').textContent";

    for (phone, suffix, next) in [(false, "", 1_001), (true, "-412", 1_002)] {
        let b = browser(phone).await;
        log_in(&b, &app, "owner@shop.test").await;
        // Every cart processed: the tab reads 1000+ only once there are more.
        for _ in 0..100 {
            b.client.goto(&app.url("/orders?q=lover")).await.unwrap();
            if js(&b, all_counted).await == "1000+" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(js(&b, all_counted).await, "1000+");
        let placed = js(
            &b,
            "document.querySelector('[data-count=\"placed\"]').textContent",
        )
        .await;
        assert_eq!(placed, "1000+", "a stage's count is a lower bound too");
        let confirmed = js(
            &b,
            "document.querySelector('[data-count=\"confirmed\"]').textContent",
        )
        .await;
        assert_eq!(
            confirmed, "",
            "no \"0+\": a stage none was counted in shows no number"
        );
        wait_js(&b, "document.body.dataset.live === 'open'").await;
        shot(&b, &format!("search-counts/board{suffix}")).await;

        // A new order refreshes the counts live; they still say "more".
        js(
            &b,
            "(document.querySelector('[data-count=\"all\"]').textContent = 'stale', true)",
        )
        .await;
        post_chai_lovers(&app, next..next + 1).await;
        wait_js(&b, &format!("{all_counted} === '1000+'")).await;
        assert_eq!(
            js(
                &b,
                "document.querySelector('[data-count=\"confirmed\"]').textContent"
            )
            .await,
            "",
            "refreshed live the same way"
        );
        shot(&b, &format!("search-counts/refreshed{suffix}")).await;
        b.close().await.unwrap();
    }
    app.stop().await;
}
