use super::*;

#[test]
fn probes_turned_away_during_start_up_are_not_a_failure() {
    let starting = "LOG:  listening on IPv4 address\n\
                    [30306] FATAL:  the database system is starting up\n\
                    LOG:  database system is ready to accept connections\n";
    assert!(!server_failed(starting));
    let taken = "LOG:  could not bind IPv4 address \"127.0.0.1\": Address already in use\n\
                 FATAL:  could not create any TCP/IP sockets\n";
    assert!(server_failed(taken));
}

#[test]
fn a_cluster_creates_databases_and_removes_everything_when_dropped() {
    let cluster = PgCluster::start().unwrap();
    let dir = cluster.dir.as_ref().unwrap().path().to_path_buf();
    let url = cluster.create_database().unwrap();
    let db = url.rsplit('/').next().unwrap().to_owned();
    assert!(db.starts_with("t_"), "{url}");
    assert!(url.starts_with(&format!(
        "postgres://postgres@127.0.0.1:{}/",
        cluster.port()
    )));
    let out = cluster.psql(&db, "SELECT current_database()").unwrap();
    assert_eq!(out.trim(), db);

    drop(cluster);
    assert!(!dir.exists(), "{} still exists", dir.display());
}

#[test]
fn a_stopped_cluster_refuses_connections_then_starts_again_with_its_data() {
    let mut cluster = PgCluster::start().unwrap();
    let url = cluster.create_database().unwrap();
    let db = url.rsplit('/').next().unwrap().to_owned();
    cluster
        .psql(
            &db,
            "CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)",
        )
        .unwrap();
    cluster.stop().unwrap();
    assert!(std::net::TcpStream::connect(("127.0.0.1", cluster.port())).is_err());
    cluster.start_again().unwrap();
    assert_eq!(cluster.psql(&db, "SELECT n FROM kept").unwrap().trim(), "7");
}

#[test]
fn the_shared_cluster_hands_out_distinct_databases() {
    let a = fresh_pg_url().unwrap();
    let b = fresh_pg_url().unwrap();
    assert_ne!(a, b);
    let db = b.rsplit('/').next().unwrap();
    assert_eq!(
        shared_cluster().psql(db, "SELECT 40 + 2").unwrap().trim(),
        "42"
    );
}

#[test]
fn the_server_stops_when_the_owning_process_dies_without_cleanup() {
    // Stand in for a test process that dies without running destructors.
    let cluster = PgCluster::start().unwrap();
    let port = cluster.port();
    let dir = cluster.dir.as_ref().unwrap().path().to_path_buf();
    // Leak the cluster as a static would be, but close the pipe by hand:
    // that is exactly what the kernel does when the process dies.
    let mut cluster = std::mem::ManuallyDrop::new(cluster);
    drop(cluster.stdin.take());
    let deadline = Instant::now() + STOP_TIMEOUT;
    while dir.exists() || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(
            Instant::now() < deadline,
            "postgres still running after EOF"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = cluster.wrapper.wait();
}
