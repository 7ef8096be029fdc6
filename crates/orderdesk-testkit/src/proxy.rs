//! A TCP forwarder that can take a server away: down, it cuts every open
//! connection and closes its port (new connections are refused), which is
//! what a stopped server or a dropped network looks like to the client;
//! up, it listens on the same port again.

use std::time::Duration;

use tokio::sync::watch;

pub struct TcpProxy {
    /// The port clients connect to instead of the target's.
    pub port: u16,
    up: watch::Sender<bool>,
}

impl TcpProxy {
    /// Forwards a free port on 127.0.0.1 to `127.0.0.1:{target_port}`.
    ///
    /// # Errors
    /// No free port to listen on.
    pub async fn start(target_port: u16) -> std::io::Result<Self> {
        let first = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = first.local_addr()?.port();
        let (up, up_rx) = watch::channel(true);
        let mut watcher = up_rx.clone();
        tokio::spawn(async move {
            let mut listener = Some(first);
            loop {
                let current = match listener.take() {
                    Some(l) => l,
                    None => loop {
                        if let Ok(l) = tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                            break l;
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    },
                };
                loop {
                    tokio::select! {
                        accepted = current.accept() => {
                            let Ok((mut client, _)) = accepted else { return };
                            let mut down = up_rx.clone();
                            tokio::spawn(async move {
                                let Ok(mut server) =
                                    tokio::net::TcpStream::connect(("127.0.0.1", target_port)).await
                                else {
                                    return;
                                };
                                tokio::select! {
                                    _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                                    _ = down.wait_for(|up| !*up) => {}
                                }
                            });
                        }
                        _ = watcher.wait_for(|up| !*up) => break,
                    }
                }
                // Down: the port is closed until we are up again.
                drop(current);
                if watcher.wait_for(|up| *up).await.is_err() {
                    return;
                }
            }
        });
        Ok(Self { port, up })
    }

    /// Takes the target away (`false`) or gives it back (`true`).
    pub fn set_up(&self, up: bool) {
        let _ = self.up.send(up);
    }
}
