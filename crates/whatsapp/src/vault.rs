//! The session vault: WhatsApp Web's linked session, kept only encrypted at rest.
//!
//! The session is the Chromium profile's `Default/IndexedDB` and `Default/Local Storage`. They are
//! archived (tar, in memory) and sealed with AES-256-GCM into `<data_dir>/session.vault`, under a
//! random 256-bit key kept in the OS keychain. Plaintext exists only in the private profile
//! directory while the app runs. The driver's sequence:
//!
//! 1. start: [`Vault::open`], then [`Vault::recover_leftover`] (a crash left plaintext behind, and
//!    it is newer than the vault), then [`Vault::restore`] into a fresh private profile directory;
//! 2. after login and periodically: [`Vault::seal`] (checkpoints, so a lost profile loses little);
//! 3. clean exit, after Chromium has closed: [`Vault::seal`], then [`remove_plaintext`];
//! 4. logout or unlink: [`Vault::destroy`] and [`remove_plaintext`].
//!
//! File format: `WFVAULT1` ‖ 96-bit random nonce ‖ ciphertext ‖ GCM tag; the 20-byte header is the
//! additional authenticated data, so the version and nonce cannot be swapped undetected.
//!
//! The key lives, in order of preference, in the Secret Service (desktop keyring), the kernel
//! keyring (keyutils; kernel memory only, so gone after a reboot) or, where neither passes a
//! set-get round trip, `<data_dir>/session.key` (mode 0600). [`Vault::key_location`] tells which,
//! so the UI can warn. `WHATSFLOW_KEYSTORE=auto|secret-service|kernel-keyring|file` forces one.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::UNIX_EPOCH;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

/// The first bytes of every vault file; the digit is the format version.
const MAGIC: &[u8; 8] = b"WFVAULT1";
const HEADER_LEN: usize = MAGIC.len() + NONCE_LEN;
const TAG_LEN: usize = 16;
/// The profile directories that hold the linked session, relative to the profile directory.
pub const SESSION_DIRS: [&str; 2] = ["Default/IndexedDB", "Default/Local Storage"];
const KEYCHAIN_SERVICE: &str = "WhatsFlow";
/// The keychains tried in order; the key file comes after them.
const KEYCHAINS: [KeyLocation; 2] = [KeyLocation::SecretService, KeyLocation::KernelKeyring];

type Key = [u8; 32];

/// Where the vault key is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyLocation {
    /// The desktop keyring over D-Bus (GNOME Keyring, KWallet): encrypted and persistent.
    SecretService,
    /// The Linux kernel keyring (keyutils): never on disk, but lost at reboot or logout.
    KernelKeyring,
    /// `<data_dir>/session.key`, readable only by the user: anyone with the user's files has it.
    File,
}

impl KeyLocation {
    /// The spelling used by `WHATSFLOW_KEYSTORE` and in status reports.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyLocation::SecretService => "secret-service",
            KeyLocation::KernelKeyring => "kernel-keyring",
            KeyLocation::File => "file",
        }
    }

    /// What the UI should tell the user about this location, if anything.
    pub fn warning(self) -> Option<&'static str> {
        match self {
            KeyLocation::SecretService => None,
            KeyLocation::KernelKeyring => Some(
                "the WhatsApp session key is kept in kernel memory only; after a restart (or days \
                 unused) you will need to link the phone again",
            ),
            KeyLocation::File => Some(
                "no keychain is available, so the WhatsApp session key is stored in a file that \
                 only your user can read",
            ),
        }
    }
}

impl fmt::Display for KeyLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the vault could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("the saved WhatsApp session could not be decrypted; link the phone again")]
    Undecryptable,
    #[error("the key of the saved WhatsApp session is gone (keychain reset or computer restarted); link the phone again")]
    KeyMissing,
    #[error("{0} is not a session vault this version of WhatsFlow can read; link the phone again")]
    NotAVault(PathBuf),
    #[error("there is no WhatsApp session to save in {0}")]
    NoSession(PathBuf),
    #[error("the {location} keychain cannot keep the session key ({reason}); unlock it, or unset WHATSFLOW_KEYSTORE if you set it")]
    KeychainUnavailable {
        location: KeyLocation,
        reason: String,
    },
    #[error("the system's secure random source or cipher failed; try again")]
    Crypto,
    #[error("WHATSFLOW_KEYSTORE={0:?} is not understood; use auto, secret-service, kernel-keyring or file")]
    BadKeystoreSetting(String),
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    /// The vault could not be opened when the link started, so nothing is sealed in this run.
    #[error("the session vault is unavailable")]
    Unavailable,
    /// The link's task that runs vault work in order has stopped (the runtime is shutting down)
    /// or its work panicked.
    #[error("the session vault's task stopped: {0}")]
    TaskStopped(String),
}

/// Maps an I/O error to [`VaultError::Io`] with what was being done and where.
fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> VaultError {
    let path = path.to_path_buf();
    move |source| VaultError::Io {
        action,
        path,
        source,
    }
}

/// The sealed session of one data directory and the key that opens it.
pub struct Vault {
    vault_path: PathBuf,
    key_file: PathBuf,
    store: KeyStore,
    /// `None` until a key is found or created. The lock also serialises seals and `destroy`.
    key: Mutex<Option<Key>>,
}

impl fmt::Debug for Vault {
    // By hand, so that the key never reaches a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vault")
            .field("vault_path", &self.vault_path)
            .field("key_location", &self.key_location())
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// Opens the vault of `data_dir` (vault file `data_dir/session.vault`), choosing the key store
    /// as `WHATSFLOW_KEYSTORE` says (default `auto`) and loading an existing key. A missing key is
    /// created by the first [`Vault::seal`]. Talks to the keychain: call it off async workers.
    pub fn open(data_dir: &Path) -> Result<Vault, VaultError> {
        let forced = match std::env::var("WHATSFLOW_KEYSTORE")
            .unwrap_or_default()
            .as_str()
        {
            "" | "auto" => None,
            "secret-service" => Some(KeyLocation::SecretService),
            "kernel-keyring" => Some(KeyLocation::KernelKeyring),
            "file" => Some(KeyLocation::File),
            other => return Err(VaultError::BadKeystoreSetting(other.to_string())),
        };
        Vault::open_with(data_dir, forced)
    }

    /// Like [`Vault::open`], with the key store given: `None` tries the keychains, then the key
    /// file; `Some(location)` uses only that store and fails if a keychain does not work.
    pub fn open_with(data_dir: &Path, store: Option<KeyLocation>) -> Result<Vault, VaultError> {
        fs::create_dir_all(data_dir).map_err(io_error("create", data_dir))?;
        let canonical = data_dir
            .canonicalize()
            .map_err(io_error("resolve", data_dir))?;
        // One key per data directory: two installs (or a test) never share or clobber a key.
        let account = format!("session-key:{}", whatsflow_engine::data_dir_id(&canonical));
        let key_file = data_dir.join("session.key");
        let (store, key) = match store {
            Some(KeyLocation::File) => {
                (KeyStore::File(key_file.clone()), read_key_file(&key_file)?)
            }
            Some(location) => {
                let store = KeyStore::keychain(location, &account)?;
                let key = store.load()?;
                if key.is_none() {
                    probe(location, &account)?;
                }
                (store, key)
            }
            None => choose_store(&account, &key_file)?,
        };
        Ok(Vault {
            vault_path: data_dir.join("session.vault"),
            key_file,
            store,
            key: Mutex::new(key),
        })
    }

    /// Where the key is kept; [`KeyLocation::warning`] says what to tell the user.
    pub fn key_location(&self) -> KeyLocation {
        self.store.location()
    }

    /// The vault file, `data_dir/session.vault`.
    pub fn path(&self) -> &Path {
        &self.vault_path
    }

    /// Whether a sealed session is there (it may still fail to open).
    pub fn exists(&self) -> bool {
        self.vault_path.is_file()
    }

    /// Archives the session directories of `profile_dir` and replaces the vault with them, atomically.
    /// Creates and stores the key if there is none (a vault sealed under a lost key is replaced).
    /// Files that vanish while Chromium runs are skipped; the most consistent copy is taken after
    /// Chromium has closed.
    pub fn seal(&self, profile_dir: &Path) -> Result<(), VaultError> {
        let archive = archive_session(profile_dir)?;
        let mut key_slot = self.lock_key();
        let key = match *key_slot {
            Some(key) => key,
            None => {
                let mut key = [0u8; 32];
                fill_random(&mut key)?;
                self.store.save(&key)?;
                *key_slot = Some(key);
                key
            }
        };
        let sealed = encrypt(&key, &archive)?;
        write_private_atomically(&self.vault_path, &sealed)
            .map_err(io_error("write", &self.vault_path))
    }

    /// Decrypts the vault and unpacks it into `profile_dir` (created with mode 0700), replacing its
    /// session directories. Returns `false`, touching nothing, if there is no vault.
    pub fn restore(&self, profile_dir: &Path) -> Result<bool, VaultError> {
        let sealed = match fs::read(&self.vault_path) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
            other => other.map_err(io_error("read", &self.vault_path))?,
        };
        let key = self.lock_key().ok_or(VaultError::KeyMissing)?;
        let archive = decrypt(&key, sealed, &self.vault_path)?;
        create_private_dir(profile_dir).map_err(io_error("create", profile_dir))?;
        for dir in SESSION_DIRS {
            remove_dir_if_present(&profile_dir.join(dir))
                .map_err(io_error("clear", profile_dir))?;
        }
        unpack_session(&archive, profile_dir)
            .map_err(io_error("unpack the session into", profile_dir))?;
        Ok(true)
    }

    /// Crash recovery, before [`Vault::restore`]: if `profile_dir` still holds a session (the app
    /// did not exit cleanly), seals it, since it is newer than the vault. Returns whether it did.
    /// The plaintext stays; `restore` then rewrites the same content.
    pub fn recover_leftover(&self, profile_dir: &Path) -> Result<bool, VaultError> {
        if !holds_session(profile_dir) {
            return Ok(false);
        }
        self.seal(profile_dir)?;
        Ok(true)
    }

    /// Logout: deletes the vault file and the key (from the keychain and any key file). The next
    /// [`Vault::seal`] creates a new key.
    pub fn destroy(&self) -> Result<(), VaultError> {
        let mut key_slot = self.lock_key();
        remove_file_if_present(&self.vault_path).map_err(io_error("delete", &self.vault_path))?;
        self.store.delete()?;
        remove_file_if_present(&self.key_file).map_err(io_error("delete", &self.key_file))?;
        *key_slot = None;
        Ok(())
    }

    fn lock_key(&self) -> MutexGuard<'_, Option<Key>> {
        // The slot is replaced whole, so it is consistent even after a panic elsewhere.
        self.key.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Whether `profile_dir` has any of the session directories (it may not be linked).
pub(crate) fn holds_session(profile_dir: &Path) -> bool {
    SESSION_DIRS
        .iter()
        .any(|dir| profile_dir.join(dir).is_dir())
}

/// Deletes the private profile directory with everything in it (clean exit, logout).
pub fn remove_plaintext(profile_dir: &Path) -> io::Result<()> {
    remove_dir_if_present(profile_dir)
}

/// Auto mode: an existing key wins where it is; else the first keychain passing a round trip,
/// taking over a key file left by a run that had none; else the key file.
fn choose_store(account: &str, key_file: &Path) -> Result<(KeyStore, Option<Key>), VaultError> {
    let mut working = None;
    for location in KEYCHAINS {
        let loaded =
            KeyStore::keychain(location, account).and_then(|store| Ok((store.load()?, store)));
        match loaded {
            Ok((Some(key), store)) => return Ok((store, Some(key))),
            Ok((None, store)) if working.is_none() && probe(location, account).is_ok() => {
                working = Some(store)
            }
            Ok((None, _)) => {}
            Err(error) => tracing::debug!(%error, "keychain not usable"),
        }
    }
    let file_key = read_key_file(key_file)?;
    match (working, file_key) {
        (Some(store), Some(key)) => match store.save(&key) {
            Ok(()) => {
                remove_file_if_present(key_file).map_err(io_error("delete", key_file))?;
                tracing::info!(location = %store.location(), "moved the session key from a file into the keychain");
                Ok((store, Some(key)))
            }
            Err(error) => {
                tracing::warn!(%error, "keeping the session key in its file");
                Ok((KeyStore::File(key_file.to_path_buf()), Some(key)))
            }
        },
        (Some(store), None) => Ok((store, None)),
        (None, key) => Ok((KeyStore::File(key_file.to_path_buf()), key)),
    }
}

/// A place for the key. Keychain entries are built explicitly, never through keyring's default
/// store, which silently becomes an in-memory mock when a platform feature is missing.
enum KeyStore {
    Keychain(KeyLocation, keyring::Entry),
    File(PathBuf),
}

impl KeyStore {
    fn keychain(location: KeyLocation, account: &str) -> Result<KeyStore, VaultError> {
        let entry = keychain_entry(location, account).map_err(|e| unavailable(location, e))?;
        Ok(KeyStore::Keychain(location, entry))
    }

    fn location(&self) -> KeyLocation {
        match self {
            KeyStore::Keychain(location, _) => *location,
            KeyStore::File(_) => KeyLocation::File,
        }
    }

    /// The stored key, `None` if there is none (or it is damaged: the vault is then unreadable
    /// anyway, and the next seal replaces both). `Err` means the store cannot be read.
    fn load(&self) -> Result<Option<Key>, VaultError> {
        match self {
            KeyStore::File(path) => read_key_file(path),
            KeyStore::Keychain(location, entry) => match entry.get_password() {
                Ok(text) => Ok(decode_key(&text)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(error) => Err(unavailable(*location, error)),
            },
        }
    }

    /// Stores the key and reads it back: only a store that returns what it was given is trusted.
    fn save(&self, key: &Key) -> Result<(), VaultError> {
        let text = BASE64.encode(key);
        let (location, entry) = match self {
            KeyStore::File(path) => {
                return write_private_atomically(path, text.as_bytes())
                    .map_err(io_error("write", path))
            }
            KeyStore::Keychain(location, entry) => (*location, entry),
        };
        entry
            .set_password(&text)
            .map_err(|e| unavailable(location, e))?;
        match entry.get_password() {
            Ok(back) if back == text => Ok(()),
            Ok(_) => Err(unavailable(location, "it returned a different key")),
            Err(error) => Err(unavailable(location, error)),
        }
    }

    fn delete(&self) -> Result<(), VaultError> {
        match self {
            KeyStore::File(path) => remove_file_if_present(path).map_err(io_error("delete", path)),
            KeyStore::Keychain(location, entry) => match entry.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(error) => Err(unavailable(*location, error)),
            },
        }
    }
}

fn unavailable(location: KeyLocation, reason: impl ToString) -> VaultError {
    VaultError::KeychainUnavailable {
        location,
        reason: reason.to_string(),
    }
}

/// Checks that a keychain keeps what it is given, on a throwaway entry next to the real one.
fn probe(location: KeyLocation, account: &str) -> Result<(), VaultError> {
    let probe = KeyStore::keychain(location, &format!("probe:{account}"))?;
    let mut bytes = [0u8; 32];
    fill_random(&mut bytes)?;
    probe.save(&bytes)?;
    probe.delete()
}

#[cfg(target_os = "linux")]
fn keychain_entry(location: KeyLocation, account: &str) -> keyring::Result<keyring::Entry> {
    use keyring::{keyutils::KeyutilsCredential, secret_service::SsCredential};
    use std::sync::OnceLock;
    let credential: Box<keyring::credential::Credential> = match location {
        KeyLocation::SecretService => Box::new(SsCredential::new_with_target(
            None,
            KEYCHAIN_SERVICE,
            account,
        )?),
        KeyLocation::KernelKeyring => {
            let credential = KeyutilsCredential::new_with_target(None, KEYCHAIN_SERVICE, account)?;
            // Without a session keyring of its own, a process gets the user's default one, where a
            // key one run adds is unreadable to the next (seen in containers and services). Decided
            // once: keyring's first call installs a throwaway session keyring as a side effect.
            static OWN_SESSION: OnceLock<bool> = OnceLock::new();
            let own_session = *OWN_SESSION.get_or_init(|| {
                (credential.session.metadata())
                    .is_ok_and(|session| !session.get_description().starts_with("_uid_ses."))
            });
            if !own_session {
                let reason = "no session keyring of its own (log in, or run in `keyctl session -`)";
                return Err(keyring::Error::NoStorageAccess(reason.into()));
            }
            Box::new(credential)
        }
        KeyLocation::File => {
            return Err(keyring::Error::Invalid(
                "store".into(),
                "a file is not a keychain".into(),
            ))
        }
    };
    Ok(keyring::Entry::new_with_credential(credential))
}

/// Elsewhere the crate enables no keychain backend yet, so the key file is used.
#[cfg(not(target_os = "linux"))]
fn keychain_entry(location: KeyLocation, _account: &str) -> keyring::Result<keyring::Entry> {
    Err(keyring::Error::Invalid(
        location.to_string(),
        "not supported on this system".into(),
    ))
}

fn decode_key(text: &str) -> Option<Key> {
    let key = BASE64
        .decode(text.trim())
        .ok()
        .and_then(|bytes| Key::try_from(bytes).ok());
    if key.is_none() {
        tracing::warn!("the stored session key is damaged; a new one will be made");
    }
    key
}

fn read_key_file(path: &Path) -> Result<Option<Key>, VaultError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(decode_key(&text)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(io_error("read", path)(error)),
    }
}

fn fill_random(bytes: &mut [u8]) -> Result<(), VaultError> {
    SystemRandom::new()
        .fill(bytes)
        .map_err(|_| VaultError::Crypto)
}

/// `MAGIC ‖ nonce ‖ AES-256-GCM(plaintext) ‖ tag`, with the header as additional data.
fn encrypt(key: &Key, plaintext: &[u8]) -> Result<Vec<u8>, VaultError> {
    let mut nonce = [0u8; NONCE_LEN];
    fill_random(&mut nonce)?;
    let mut sealed = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
    sealed.extend_from_slice(MAGIC);
    sealed.extend_from_slice(&nonce);
    sealed.extend_from_slice(plaintext);
    let (header, body) = sealed.split_at_mut(HEADER_LEN);
    let tag = aead_key(key)?
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(&*header),
            body,
        )
        .map_err(|_| VaultError::Crypto)?;
    sealed.extend_from_slice(tag.as_ref());
    Ok(sealed)
}

/// The inverse of [`encrypt`]; any damage, truncation or wrong key is an error, never a panic.
fn decrypt(key: &Key, mut sealed: Vec<u8>, path: &Path) -> Result<Vec<u8>, VaultError> {
    if !sealed.starts_with(MAGIC) {
        return Err(VaultError::NotAVault(path.to_path_buf()));
    }
    if sealed.len() < HEADER_LEN + TAG_LEN {
        return Err(VaultError::Undecryptable);
    }
    let mut header = [0u8; HEADER_LEN];
    header.copy_from_slice(&sealed[..HEADER_LEN]);
    let nonce = Nonce::try_assume_unique_for_key(&header[MAGIC.len()..])
        .map_err(|_| VaultError::Undecryptable)?;
    let plain_len = aead_key(key)?
        .open_within(nonce, Aad::from(header), &mut sealed, HEADER_LEN..)
        .map_err(|_| VaultError::Undecryptable)?
        .len();
    sealed.truncate(plain_len);
    Ok(sealed)
}

fn aead_key(key: &Key) -> Result<LessSafeKey, VaultError> {
    // AES-256 accepts every 32-byte key; the error path exists only to avoid a panic.
    let key = UnboundKey::new(&AES_256_GCM, key).map_err(|_| VaultError::Crypto)?;
    Ok(LessSafeKey::new(key))
}

/// A tar of the session directories with paths relative to the profile directory.
fn archive_session(profile_dir: &Path) -> Result<Vec<u8>, VaultError> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut found = false;
    for dir in SESSION_DIRS {
        found |= append_tree(&mut builder, profile_dir, Path::new(dir))
            .map_err(io_error("read the WhatsApp session in", profile_dir))?;
    }
    if !found {
        return Err(VaultError::NoSession(profile_dir.to_path_buf()));
    }
    builder
        .into_inner()
        .map_err(io_error("archive the session in", profile_dir))
}

/// Appends `root/relative` recursively; returns whether it existed. Files are read whole, so
/// each entry's size matches its content even if Chromium writes meanwhile; files deleted
/// meanwhile (LevelDB compaction) are skipped. Symlinks and sockets are skipped: Chromium keeps
/// none there, and following a link could pull in files from outside the profile.
fn append_tree(
    builder: &mut tar::Builder<Vec<u8>>,
    root: &Path,
    relative: &Path,
) -> io::Result<bool> {
    let mut children = match fs::read_dir(root.join(relative)) {
        Ok(entries) => entries.collect::<io::Result<Vec<_>>>()?,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(error),
    };
    children.sort_by_key(|child| child.file_name());
    builder.append_data(
        &mut header(tar::EntryType::Directory, 0o700, 0, 0),
        relative,
        io::empty(),
    )?;
    for child in children {
        let child_relative = relative.join(child.file_name());
        let kind = child.file_type()?;
        if kind.is_dir() {
            append_tree(builder, root, &child_relative)?;
        } else if kind.is_file() {
            let content = match fs::read(child.path()) {
                Ok(content) => content,
                Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                Err(error) => return Err(error),
            };
            let modified = child.metadata().ok().and_then(|m| m.modified().ok());
            let mtime = modified
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs());
            let mut header = header(tar::EntryType::Regular, 0o600, content.len() as u64, mtime);
            builder.append_data(&mut header, &child_relative, content.as_slice())?;
        }
    }
    Ok(true)
}

fn header(kind: tar::EntryType, mode: u32, size: u64, mtime: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_mode(mode);
    header.set_size(size);
    header.set_mtime(mtime);
    header
}

/// Unpacks an authenticated archive, still refusing anything outside the session directories.
fn unpack_session(archive: &[u8], profile_dir: &Path) -> io::Result<()> {
    let mut archive = tar::Archive::new(archive);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = entry.path()?.into_owned();
        if !SESSION_DIRS.iter().any(|dir| path.starts_with(dir)) || !entry.unpack_in(profile_dir)? {
            let message = format!("unexpected path {} in the vault", path.display());
            return Err(io::Error::new(io::ErrorKind::InvalidData, message));
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` so that a crash leaves either the old or the new file, mode 0600.
fn write_private_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temp_name = path.file_name().unwrap_or_default().to_os_string();
    temp_name.push(".tmp");
    let temp = path.with_file_name(temp_name);
    // A stale temp file from a crash may have other permissions; the mode applies only on creation.
    remove_file_if_present(&temp)?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temp)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| fs::rename(&temp, path));
    if let Err(error) = written {
        let _ = fs::remove_file(&temp);
        return Err(error);
    }
    // The rename itself must reach the disk before we count the write as done.
    #[cfg(unix)]
    File::open(path.parent().unwrap_or(Path::new(".")))?.sync_all()?;
    Ok(())
}

/// Creates `dir` (and its parents) readable only by the user.
pub(crate) fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
    Ok(())
}

fn remove_dir_if_present(dir: &Path) -> io::Result<()> {
    match fs::remove_dir_all(dir) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

fn remove_file_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: Key = [7; 32];

    #[test]
    fn encrypt_then_decrypt_gives_the_plaintext_back() {
        let sealed = encrypt(&KEY, b"session bytes").unwrap();
        assert!(sealed.starts_with(MAGIC), "the header names the format");
        assert_eq!(
            decrypt(&KEY, sealed, Path::new("v")).unwrap(),
            b"session bytes"
        );
    }

    #[test]
    fn every_flipped_byte_and_every_truncation_is_an_error() {
        let sealed = encrypt(&KEY, b"a small session").unwrap();
        for index in 0..sealed.len() {
            let mut damaged = sealed.clone();
            damaged[index] ^= 0x01;
            assert!(
                decrypt(&KEY, damaged, Path::new("v")).is_err(),
                "byte {index} is authenticated"
            );
        }
        for len in 0..sealed.len() {
            let truncated = sealed[..len].to_vec();
            assert!(
                decrypt(&KEY, truncated, Path::new("v")).is_err(),
                "a {len}-byte prefix is rejected"
            );
        }
    }

    #[test]
    fn a_different_key_cannot_open_the_vault() {
        let sealed = encrypt(&KEY, b"secret").unwrap();
        let error = decrypt(&[8; 32], sealed, Path::new("v")).unwrap_err();
        assert!(matches!(error, VaultError::Undecryptable), "got {error}");
    }

    #[test]
    fn two_seals_of_the_same_data_differ() {
        // A repeated nonce under one key would break GCM; random nonces make this vanishingly rare.
        assert_ne!(
            encrypt(&KEY, b"same").unwrap(),
            encrypt(&KEY, b"same").unwrap()
        );
    }
}
