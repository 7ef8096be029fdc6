//! Conformance cases for staff: users, API tokens and dashboard sessions.

use super::*;

pub async fn case_users(store: &dyn Store) {
    let owner = store
        .create_user(&NewUser {
            email: "Owner@Shop.Test".to_owned(),
            role: Role::Owner,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
            created_at: at(0),
        })
        .await
        .unwrap();
    assert_eq!(owner.email, "owner@shop.test");
    assert_eq!(owner.role, Role::Owner);
    assert_eq!(owner.created_at, micros(at(0)));

    let found = store
        .user_by_email("OWNER@shop.test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.user, owner);
    assert_eq!(
        found.password_hash,
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
    );

    let taken = store
        .create_user(&NewUser {
            email: "owner@SHOP.test".to_owned(),
            role: Role::Agent,
            password_hash: "x".to_owned(),
            created_at: at(1),
        })
        .await;
    assert!(matches!(taken, Err(StoreError::Duplicate(_))), "{taken:?}");
    assert!(store
        .user_by_email("nobody@shop.test")
        .await
        .unwrap()
        .is_none());

    let mut ids = HashSet::from([owner.id]);
    for (i, role) in [Role::Admin, Role::Agent].into_iter().enumerate() {
        let email = format!("{}@shop.test", role.as_str());
        let user = store
            .create_user(&NewUser {
                email: email.clone(),
                role,
                password_hash: format!("hash-{i}"),
                created_at: at(2),
            })
            .await
            .unwrap();
        assert!(ids.insert(user.id), "distinct ids");
        let back = store.user_by_email(&email).await.unwrap().unwrap();
        assert_eq!(back.user.role, role);
        assert_eq!(back.password_hash, format!("hash-{i}"));
    }
}

pub async fn case_tokens(store: &dyn Store) {
    let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let token = store
        .create_token(&NewApiToken {
            name: "zapier".to_owned(),
            secret_hash: hash.to_owned(),
            created_at: at(0),
        })
        .await
        .unwrap();
    assert_eq!(token.name, "zapier");
    assert_eq!(token.created_at, micros(at(0)));
    assert_eq!(
        store.token_by_hash(hash).await.unwrap(),
        Some(token.clone())
    );
    assert_eq!(store.token_by_hash("00ff").await.unwrap(), None);

    let same_name = store
        .create_token(&NewApiToken {
            name: "zapier".to_owned(),
            secret_hash: "ab".repeat(32),
            created_at: at(1),
        })
        .await;
    assert!(
        matches!(same_name, Err(StoreError::Duplicate(_))),
        "{same_name:?}"
    );
    let same_secret = store
        .create_token(&NewApiToken {
            name: "other".to_owned(),
            secret_hash: hash.to_owned(),
            created_at: at(1),
        })
        .await;
    assert!(
        matches!(same_secret, Err(StoreError::Duplicate(_))),
        "{same_secret:?}"
    );

    let second = store
        .create_token(&NewApiToken {
            name: "erp".to_owned(),
            secret_hash: "cd".repeat(32),
            created_at: at(2),
        })
        .await
        .unwrap();
    assert_ne!(second.id, token.id);
    assert_eq!(
        store.token_by_hash(&"cd".repeat(32)).await.unwrap(),
        Some(second)
    );
}

async fn staff_user(store: &dyn Store, email: &str, role: Role) -> crate::User {
    store
        .create_user(&NewUser {
            email: email.to_owned(),
            role,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
            created_at: at(0),
        })
        .await
        .unwrap()
}

fn new_session(id_hash: &str, user_id: i64, created: i64, expires: i64) -> NewSession {
    NewSession {
        id_hash: id_hash.to_owned(),
        user_id,
        csrf_token: format!("csrf-{id_hash}"),
        created_at: at(created),
        expires_at: at(expires),
    }
}

pub async fn case_sessions(store: &dyn Store) {
    let owner = staff_user(store, "owner@shop.test", Role::Owner).await;
    store
        .create_session(&new_session("aa", owner.id, 0, 100))
        .await
        .unwrap();
    let found = store.session("aa", at(10)).await.unwrap().unwrap();
    assert_eq!(found.user, owner);
    assert_eq!(found.csrf_token, "csrf-aa");
    assert_eq!(found.expires_at, micros(at(100)));
    assert_eq!(store.session("bb", at(10)).await.unwrap(), None);
    // Expired at exactly its expiry time.
    assert_eq!(store.session("aa", at(100)).await.unwrap(), None);

    let same = store
        .create_session(&new_session("aa", owner.id, 1, 100))
        .await;
    assert!(matches!(same, Err(StoreError::Duplicate(_))), "{same:?}");

    // A new session sweeps the expired ones away.
    store
        .create_session(&new_session("cc", owner.id, 200, 300))
        .await
        .unwrap();
    assert_eq!(store.session("aa", at(50)).await.unwrap(), None);
    assert!(store.session("cc", at(250)).await.unwrap().is_some());

    store.delete_session("cc").await.unwrap();
    assert_eq!(store.session("cc", at(250)).await.unwrap(), None);
    store.delete_session("cc").await.unwrap();
}

pub async fn case_delete_user(store: &dyn Store) {
    let owner = staff_user(store, "owner@shop.test", Role::Owner).await;
    let agent = staff_user(store, "agent@shop.test", Role::Agent).await;
    assert_eq!(
        store.users().await.unwrap(),
        vec![owner.clone(), agent.clone()]
    );
    for (hash, user) in [("o1", &owner), ("a1", &agent), ("a2", &agent)] {
        store
            .create_session(&new_session(hash, user.id, 0, 100))
            .await
            .unwrap();
    }
    store.delete_user(agent.id).await.unwrap();
    assert_eq!(store.users().await.unwrap(), vec![owner.clone()]);
    assert_eq!(store.session("a1", at(1)).await.unwrap(), None);
    assert_eq!(store.session("a2", at(1)).await.unwrap(), None);
    assert!(store.session("o1", at(1)).await.unwrap().is_some());
    assert!(store
        .user_by_email("agent@shop.test")
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        store.delete_user(agent.id).await,
        Err(StoreError::NotFound)
    ));
    // The email is free again.
    staff_user(store, "agent@shop.test", Role::Admin).await;
}

pub async fn case_revoke_token(store: &dyn Store) {
    let mut made = Vec::new();
    for (name, hash) in [("zapier", "aa".repeat(32)), ("erp", "bb".repeat(32))] {
        made.push(
            store
                .create_token(&NewApiToken {
                    name: name.to_owned(),
                    secret_hash: hash,
                    created_at: at(0),
                })
                .await
                .unwrap(),
        );
    }
    assert_eq!(store.tokens().await.unwrap(), made);
    store.revoke_token(made[0].id, at(5)).await.unwrap();
    assert_eq!(store.tokens().await.unwrap(), vec![made[1].clone()]);
    assert_eq!(store.token_by_hash(&"aa".repeat(32)).await.unwrap(), None);
    assert!(store
        .token_by_hash(&"bb".repeat(32))
        .await
        .unwrap()
        .is_some());
    assert!(matches!(
        store.revoke_token(made[0].id, at(6)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.revoke_token(9_999, at(6)).await,
        Err(StoreError::NotFound)
    ));
}
