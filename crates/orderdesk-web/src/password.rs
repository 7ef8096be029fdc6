//! Login password checks with bounded memory.
//!
//! argon2id needs 19 MiB of working memory per check. Letting the library
//! allocate it per call on whichever blocking thread runs the check left
//! the freed blocks parked in glibc's per-thread arenas: memory grew with
//! the number of threads that had ever checked a password and was not
//! given back. Here a [`CpuGate`] lets one check per core run at once, and
//! each reuses a working buffer from a small pool, so the memory is one
//! buffer per concurrent check, allocated once.

use std::sync::{Arc, LazyLock, Mutex};

use argon2::password_hash::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq;

use orderdesk_engine::accounts::{AccountError, PasswordHasher};

use crate::auth::{hash_password, random_id};
use crate::cpu::{CpuGate, GateError};

/// The most working memory a stored hash may ask for (64 MiB); ours use 19.
const MAX_BLOCKS: usize = 64 * 1024;

/// Checks login passwords a few at a time, on reused memory.
#[derive(Clone, Default)]
pub struct PasswordChecker {
    gate: CpuGate,
    buffers: Arc<Mutex<Vec<Vec<Block>>>>,
}

impl std::fmt::Debug for PasswordChecker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordChecker")
            .field("gate", &self.gate)
            .finish_non_exhaustive()
    }
}

impl PasswordChecker {
    pub fn new(gate: CpuGate) -> Self {
        Self {
            gate,
            buffers: Arc::default(),
        }
    }

    /// Whether `password` matches `phc`. Without a stored hash (no such
    /// user) a dummy one is checked, so the time taken does not tell
    /// which emails exist.
    ///
    /// # Errors
    /// [`GateError::Busy`] when every core stayed busy for the gate's wait.
    pub async fn check(&self, password: String, phc: Option<String>) -> Result<bool, GateError> {
        let buffers = self.buffers.clone();
        self.gate
            .run(move || {
                let mut memory = buffers
                    .lock()
                    .ok()
                    .and_then(|mut pool| pool.pop())
                    .unwrap_or_default();
                let phc = phc.as_deref().unwrap_or(&DUMMY_HASH);
                let good = verify_in(&password, phc, &mut memory);
                if let Ok(mut pool) = buffers.lock() {
                    pool.push(memory);
                }
                good
            })
            .await
    }
}

/// New and reset passwords are hashed under the same gate as login checks,
/// so a burst of either cannot take more than one core each.
impl PasswordHasher for PasswordChecker {
    async fn hash(&self, password: String) -> Result<String, AccountError> {
        self.gate
            .run(move || hash_password(&password))
            .await
            .map_err(|e| match e {
                GateError::Busy => AccountError::Busy,
                GateError::Panicked => AccountError::Hashing(e.to_string()),
            })?
            .map_err(AccountError::Hashing)
    }
}

/// A valid argon2id hash of a random password (made on first use, on a
/// blocking thread like every check).
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password(&random_id()).unwrap_or_default());

/// Whether `password` matches the PHC string, computed in `memory` (grown
/// once to the hash's size). A malformed hash, or one asking for more than
/// [`MAX_BLOCKS`], matches nothing.
fn verify_in(password: &str, phc: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm) else {
        return false;
    };
    let version = match hash.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(stored) = Params::try_from(&hash) else {
        return false;
    };
    let Ok(params) = Params::new(
        stored.m_cost(),
        stored.t_cost(),
        stored.p_cost(),
        Some(expected.len()),
    ) else {
        return false;
    };
    let blocks = params.block_count();
    if blocks > MAX_BLOCKS {
        return false;
    }
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..blocks])
        .is_ok()
        && bool::from(out.ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::verify_password;

    #[test]
    fn agrees_with_argon2s_own_check_and_reuses_its_memory() {
        let phc = hash_password("correct horse").unwrap();
        let mut memory = Vec::new();
        for (password, phc) in [
            ("correct horse", phc.as_str()),
            ("wrong horse", phc.as_str()),
            ("correct horse", "not a hash"),
            ("correct horse", ""),
        ] {
            assert_eq!(
                verify_in(password, phc, &mut memory),
                verify_password(password, phc),
                "{password} / {phc}"
            );
        }
        assert!(verify_in("correct horse", &phc, &mut memory));
        assert_eq!(memory.len(), 19 * 1024, "19 MiB, kept for the next check");
        // A hash asking for more memory than we allow matches nothing.
        let greedy = phc.replace("m=19456", "m=1048576");
        assert!(!verify_in("correct horse", &greedy, &mut memory));
    }

    /// A new password waits for the same single permit as login checks,
    /// and is refused as busy (nothing hashed) when it does not come.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn new_passwords_are_hashed_under_the_login_checks_gate() {
        let checker = PasswordChecker::new(CpuGate::new(1, std::time::Duration::from_millis(50)));
        let phc = checker.hash("correct horse".to_owned()).await.unwrap();
        assert!(checker
            .check("correct horse".to_owned(), Some(phc))
            .await
            .unwrap());

        let (started, held) = std::sync::mpsc::channel();
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let gate = checker.gate.clone();
        let holder = tokio::spawn(async move {
            gate.run(move || {
                started.send(()).unwrap();
                wait.recv().ok();
            })
            .await
        });
        held.recv().unwrap();
        let refused = checker.hash("correct horse".to_owned()).await;
        assert!(matches!(refused, Err(AccountError::Busy)), "{refused:?}");
        release.send(()).unwrap();
        holder.await.unwrap().unwrap();
    }
}
