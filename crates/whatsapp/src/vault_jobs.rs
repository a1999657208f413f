//! The session vault's part in the link's life: opened at start (after stopping a browser a
//! previous run left on the profile, and sealing the session it left), restored into the profile
//! before each launch, sealed after login, every `checkpoint_every` and at exit, destroyed at
//! logout. Vault work runs in order on blocking threads, so a seal can never land after a destroy.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::vault::{
    create_private_dir, holds_session, remove_plaintext, KeyLocation, Vault, VaultError,
};

/// Vault work, done in the order it was asked for.
enum VaultOp {
    Seal,
    Destroy,
    RemovePlaintext,
}

type Job = (VaultOp, oneshot::Sender<Result<(), VaultError>>);

/// The worker's handle on the vault and the task that does its work.
pub(crate) struct VaultJobs {
    vault: Option<Arc<Vault>>,
    /// Why the vault could not be opened, told to the user while connected.
    problem: Option<VaultError>,
    profile_dir: PathBuf,
    queue: mpsc::UnboundedSender<Job>,
    last_checkpoint: Instant,
}

impl VaultJobs {
    /// Stops a browser a previous run left on `profile_dir`, opens the vault of `data_dir`, seals a
    /// session a crash left in the profile, and starts the task that runs vault work. A vault that
    /// cannot be opened is logged and remembered ([`VaultJobs::problem`]); the link runs without.
    pub async fn open(data_dir: PathBuf, profile_dir: PathBuf) -> VaultJobs {
        let leftover_dir = profile_dir.clone();
        let opened = tokio::task::spawn_blocking(move || open_vault(&data_dir, &leftover_dir))
            .await
            .unwrap_or_else(|panic| Err(VaultError::TaskStopped(panic.to_string())));
        let (vault, problem) = match opened {
            Ok(vault) => {
                if let Some(warning) = vault.key_location().warning() {
                    tracing::warn!(warning, "session key");
                }
                (Some(Arc::new(vault)), None)
            }
            Err(error) => {
                tracing::error!(%error, "the session vault is unavailable; the session will not survive a restart");
                (None, Some(error))
            }
        };
        let (queue, jobs) = mpsc::unbounded_channel();
        tokio::spawn(run_jobs(vault.clone(), profile_dir.clone(), jobs));
        VaultJobs {
            vault,
            problem,
            profile_dir,
            queue,
            last_checkpoint: Instant::now(),
        }
    }

    /// Why the vault could not be opened, if it could not.
    pub fn problem(&self) -> Option<&VaultError> {
        self.problem.as_ref()
    }

    /// Where the vault's key is kept, if the vault opened.
    pub fn key_location(&self) -> Option<KeyLocation> {
        self.vault.as_ref().map(|vault| vault.key_location())
    }

    /// The private Chromium profile the vault seals and restores.
    pub fn profile_dir(&self) -> &Path {
        &self.profile_dir
    }

    /// Before a launch: creates the private profile and restores the vault into it unless the
    /// session is already there (a relaunch after a crash keeps the live copy, which is newer).
    /// Returns whether the profile now holds a session.
    pub async fn prepare_profile(&self) -> Result<bool, VaultError> {
        let vault = self.vault.clone();
        let profile_dir = self.profile_dir.clone();
        tokio::task::spawn_blocking(move || prepare_profile(vault.as_deref(), &profile_dir))
            .await
            .unwrap_or_else(|panic| Err(VaultError::TaskStopped(panic.to_string())))
    }

    /// Seals the live session in the background, so a crash from here on loses little.
    pub fn checkpoint(&mut self) {
        self.last_checkpoint = Instant::now();
        let done = self.run(VaultOp::Seal);
        tokio::spawn(async move {
            if let Err(error) = done.await {
                tracing::warn!(%error, "checkpoint of the session failed");
            }
        });
    }

    /// Whether the last checkpoint is at least `every` old.
    pub fn checkpoint_due(&self, every: Duration) -> bool {
        self.last_checkpoint.elapsed() >= every
    }

    /// At exit, after Chromium has closed: seals the session if `linked`, then removes the
    /// plaintext profile. If sealing fails the plaintext stays, to be sealed at the next start.
    pub async fn seal_and_remove_plaintext(&self, linked: bool) {
        let sealed = if linked {
            self.run(VaultOp::Seal).await
        } else {
            Ok(())
        };
        match sealed {
            Ok(()) => {
                if let Err(error) = self.run(VaultOp::RemovePlaintext).await {
                    tracing::error!(%error, "could not remove the plaintext profile");
                }
            }
            Err(error) => {
                tracing::error!(%error, "could not seal the session at exit; it stays in the profile until the next start")
            }
        }
    }

    /// The user logged out, Chromium closed: deletes the saved session and the profile.
    pub async fn forget(&self) {
        if let Err(error) = self.run(VaultOp::Destroy).await {
            tracing::error!(%error, "could not delete the saved session");
        }
        if let Err(error) = self.run(VaultOp::RemovePlaintext).await {
            tracing::error!(%error, "could not remove the profile");
        }
    }

    /// The phone logged this computer out: deletes the saved session in the background (the
    /// browser keeps running on its profile, which WhatsApp Web has emptied).
    pub fn destroy_in_background(&self) {
        let destroyed = self.run(VaultOp::Destroy);
        tokio::spawn(async move {
            if let Err(error) = destroyed.await {
                tracing::error!(%error, "could not delete the saved session after the logout");
            }
        });
    }

    /// Queues vault work; the returned future says how it went.
    fn run(&self, op: VaultOp) -> impl Future<Output = Result<(), VaultError>> {
        let (done, result) = oneshot::channel();
        let queued = self.queue.send((op, done)).is_ok();
        async move {
            let stopped = || VaultError::TaskStopped("the link is shutting down".to_owned());
            if !queued {
                return Err(stopped());
            }
            result.await.unwrap_or_else(|_| Err(stopped()))
        }
    }
}

/// The blocking part of [`VaultJobs::open`].
fn open_vault(data_dir: &Path, profile_dir: &Path) -> Result<Vault, VaultError> {
    let stopped = crate::browser::stop_leftover_browsers(profile_dir);
    if stopped > 0 {
        tracing::warn!(
            stopped,
            "stopped a browser a previous run left on the session"
        );
    }
    let vault = Vault::open(data_dir)?;
    // A crash left plaintext behind: it is newer than the vault, so it becomes the vault.
    match vault.recover_leftover(profile_dir) {
        Ok(true) => tracing::info!("sealed the session a previous run left behind"),
        Ok(false) => {}
        Err(error) => {
            tracing::warn!(%error, "could not seal the session a previous run left behind")
        }
    }
    Ok(vault)
}

/// The blocking part of [`VaultJobs::prepare_profile`].
fn prepare_profile(vault: Option<&Vault>, profile_dir: &Path) -> Result<bool, VaultError> {
    create_private_dir(profile_dir).map_err(|source| VaultError::Io {
        action: "create",
        path: profile_dir.to_path_buf(),
        source,
    })?;
    let present = holds_session(profile_dir);
    match vault {
        Some(vault) if !present => vault.restore(profile_dir),
        _ => Ok(present),
    }
}

/// Runs vault work one job at a time, each on a blocking thread.
async fn run_jobs(
    vault: Option<Arc<Vault>>,
    profile_dir: PathBuf,
    mut jobs: mpsc::UnboundedReceiver<Job>,
) {
    while let Some((op, done)) = jobs.recv().await {
        let vault = vault.clone();
        let profile_dir = profile_dir.clone();
        let result = tokio::task::spawn_blocking(move || match op {
            VaultOp::Seal => match &vault {
                Some(vault) => vault.seal(&profile_dir),
                None => Err(VaultError::Unavailable),
            },
            VaultOp::Destroy => match &vault {
                Some(vault) => vault.destroy(),
                None => Ok(()),
            },
            VaultOp::RemovePlaintext => {
                remove_plaintext(&profile_dir).map_err(|source| VaultError::Io {
                    action: "remove",
                    path: profile_dir.clone(),
                    source,
                })
            }
        })
        .await
        .unwrap_or_else(|panic| Err(VaultError::TaskStopped(panic.to_string())));
        let _ = done.send(result);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_vault(data_dir: &Path) -> Vault {
        Vault::open_with(data_dir, Some(KeyLocation::File)).unwrap()
    }

    fn write(path: &Path, content: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    #[test]
    fn a_fresh_profile_is_private_and_holds_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let profile = dir.path().join("whatsapp-profile");
        let vault = file_vault(dir.path());
        assert!(!prepare_profile(Some(&vault), &profile).unwrap());
        assert!(!prepare_profile(None, &profile).unwrap());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&profile).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }

    #[test]
    fn the_vault_is_restored_only_into_a_profile_without_a_session() {
        let dir = tempfile::tempdir().unwrap();
        let profile = dir.path().join("whatsapp-profile");
        let local_storage = profile.join("Default/Local Storage/leveldb/CURRENT");
        write(&local_storage, "sealed");
        let vault = file_vault(dir.path());
        vault.seal(&profile).unwrap();

        // A browser that died left a newer session: it is kept, not overwritten.
        write(&local_storage, "live");
        assert!(prepare_profile(Some(&vault), &profile).unwrap());
        assert_eq!(std::fs::read_to_string(&local_storage).unwrap(), "live");

        remove_plaintext(&profile).unwrap();
        assert!(prepare_profile(Some(&vault), &profile).unwrap());
        assert_eq!(std::fs::read_to_string(&local_storage).unwrap(), "sealed");
    }

    #[test]
    fn work_runs_in_order_and_a_missing_vault_refuses_to_seal() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let profile = dir.path().join("whatsapp-profile");
            write(&profile.join("Default/IndexedDB/x/CURRENT"), "session");
            let (queue, jobs) = mpsc::unbounded_channel();
            let vault = Arc::new(file_vault(dir.path()));
            tokio::spawn(run_jobs(Some(vault.clone()), profile.clone(), jobs));
            let jobs = VaultJobs {
                vault: Some(vault.clone()),
                problem: None,
                profile_dir: profile.clone(),
                queue,
                last_checkpoint: Instant::now(),
            };
            // Queued together, the destroy must find the seal done.
            let sealed = jobs.run(VaultOp::Seal);
            let forgotten = jobs.forget();
            forgotten.await;
            sealed.await.unwrap();
            assert!(!vault.exists(), "the destroy ran after the seal");
            assert!(!profile.exists(), "the plaintext is gone");

            let (queue, receiver) = mpsc::unbounded_channel();
            tokio::spawn(run_jobs(None, profile.clone(), receiver));
            let without = VaultJobs {
                vault: None,
                problem: Some(VaultError::Unavailable),
                queue,
                ..jobs
            };
            let error = without.run(VaultOp::Seal).await.unwrap_err();
            assert!(matches!(error, VaultError::Unavailable), "{error}");
        });
    }
}
