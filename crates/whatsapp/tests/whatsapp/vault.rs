//! Integration tests of the session vault on real files and, where one works, a real keychain.
//!
//! Every test runs against the key file; the keychain paths run only where a keychain passes a
//! round trip. To cover them (CI does), run the tests inside a kernel session keyring and/or a
//! D-Bus session with an unlocked GNOME keyring, and say which store `auto` must pick:
//!
//! ```sh
//! keyctl session - env WHATSFLOW_TEST_EXPECT_KEYSTORE=kernel-keyring cargo test -p whatsflow-whatsapp --test whatsapp vault::
//! dbus-run-session -- bash -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null;
//!   WHATSFLOW_TEST_EXPECT_KEYSTORE=secret-service cargo test -p whatsflow-whatsapp --test whatsapp vault::'
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use whatsflow_whatsapp::vault::{remove_plaintext, KeyLocation, Vault, VaultError, SESSION_DIRS};

/// A string that must never appear in the sealed file.
const SECRET: &str = "wf-secret-6b1d0c7e-token";

/// Writes a profile shaped like Chromium's after a WhatsApp Web login, plus content outside the
/// session directories that the vault must leave out.
fn fake_profile(profile: &Path) {
    let binary: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let idb = profile.join("Default/IndexedDB/https_web.whatsapp.com_0.indexeddb.leveldb");
    let files: Vec<(PathBuf, Vec<u8>)> = vec![
        (idb.join("CURRENT"), b"MANIFEST-000001\n".to_vec()),
        (idb.join("LOCK"), Vec::new()),
        (
            idb.join("LOG"),
            b"leveldb.DBImpl: Recovering log #3\nLevelDB ok\n".to_vec(),
        ),
        (
            idb.join("MANIFEST-000001"),
            [&b"\x56\x00leveldb.BytewiseComparator"[..], &binary[..300]].concat(),
        ),
        (
            idb.join("000003.log"),
            [&binary[..], SECRET.as_bytes()].concat(),
        ),
        (
            idb.join("000005.ldb"),
            binary.iter().rev().copied().collect(),
        ),
        (
            profile.join("Default/IndexedDB/https_web.whatsapp.com_0.indexeddb.blob/1/00/1"),
            [b"blob ".as_slice(), SECRET.as_bytes()].concat(),
        ),
        (
            profile.join("Default/Local Storage/leveldb/CURRENT"),
            b"MANIFEST-000001\n".to_vec(),
        ),
        (
            profile.join("Default/Local Storage/leveldb/LOCK"),
            Vec::new(),
        ),
        (
            profile.join("Default/Local Storage/leveldb/000003.log"),
            format!("_https://web.whatsapp.com\0WAToken1\0{SECRET}").into_bytes(),
        ),
        (
            profile.join("Default/Cache/Cache_Data/data_0"),
            b"cache, not session".to_vec(),
        ),
        (
            profile.join("Default/Preferences"),
            b"{\"profile\":{}}".to_vec(),
        ),
    ];
    for (path, content) in files {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
    fs::create_dir_all(profile.join("Default/Local Storage/leveldb/empty")).unwrap();
}

/// Every entry under the session directories: relative path → content (`None` for a directory).
fn session_tree(profile: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Option<Vec<u8>>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(root).unwrap().to_path_buf();
            if path.is_dir() {
                out.insert(relative, None);
                walk(root, &path, out);
            } else {
                out.insert(relative, Some(fs::read(&path).unwrap()));
            }
        }
    }
    let mut tree = BTreeMap::new();
    for dir in SESSION_DIRS {
        walk(profile, &profile.join(dir), &mut tree);
    }
    tree
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The key stores usable here: always the file, plus each keychain that passes a round trip.
fn stores() -> Vec<KeyLocation> {
    let probe = tempfile::tempdir().unwrap();
    let mut stores = vec![KeyLocation::File];
    for keychain in [KeyLocation::SecretService, KeyLocation::KernelKeyring] {
        if Vault::open_with(probe.path(), Some(keychain)).is_ok() {
            stores.push(keychain);
        }
    }
    stores
}

/// What `auto` must choose: given by CI, else the first keychain that works here, else the file.
fn expected_auto_store() -> KeyLocation {
    match std::env::var("WHATSFLOW_TEST_EXPECT_KEYSTORE").as_deref() {
        Ok("secret-service") => KeyLocation::SecretService,
        Ok("kernel-keyring") => KeyLocation::KernelKeyring,
        Ok("file") => KeyLocation::File,
        Ok(other) => panic!("WHATSFLOW_TEST_EXPECT_KEYSTORE={other:?} is not a key store"),
        Err(_) => stores().get(1).copied().unwrap_or(KeyLocation::File),
    }
}

#[test]
fn seal_then_restore_gives_the_session_back_byte_for_byte() {
    for store in stores() {
        let dir = tempfile::tempdir().unwrap();
        let profile = dir.path().join("profile");
        fake_profile(&profile);
        let vault = Vault::open_with(&dir.path().join("data"), Some(store)).unwrap();
        assert!(!vault.exists());
        vault.seal(&profile).unwrap();
        assert!(vault.exists());

        let fresh = dir.path().join("fresh-profile");
        assert!(
            vault.restore(&fresh).unwrap(),
            "{store}: a vault was there to restore"
        );
        assert_eq!(
            session_tree(&fresh),
            session_tree(&profile),
            "{store}: the session is exact"
        );
        assert!(
            !fresh.join("Default/Cache").exists(),
            "only the session directories are kept"
        );
        assert!(
            !fresh.join("Default/Preferences").exists(),
            "only the session directories are kept"
        );
        assert_eq!(mode(&fresh), 0o700, "the plaintext profile is private");
        vault.destroy().unwrap();
    }
}

#[test]
fn the_sealed_file_holds_no_plaintext_and_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    fake_profile(&profile);
    let vault = Vault::open_with(&dir.path().join("data"), Some(KeyLocation::File)).unwrap();
    vault.seal(&profile).unwrap();

    let sealed = fs::read(vault.path()).unwrap();
    assert!(
        sealed.starts_with(b"WFVAULT1"),
        "the versioned header comes first"
    );
    let markers = [
        SECRET,
        "LevelDB",
        "leveldb.",
        "MANIFEST-",
        ".ldb",
        ".log",
        "CURRENT",
        "IndexedDB",
        "Local Storage",
        "indexeddb",
        "whatsapp",
        "WAToken1",
        "Default",
    ];
    for marker in markers {
        let found = sealed
            .windows(marker.len())
            .any(|window| window == marker.as_bytes());
        assert!(
            !found,
            "{marker:?} would reveal the session's content or layout"
        );
    }
    assert_eq!(
        mode(vault.path()),
        0o600,
        "only the user may read the vault"
    );
    let leftovers: Vec<_> = fs::read_dir(dir.path().join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "only session.vault and session.key, no temp file: {leftovers:?}"
    );
}

#[test]
fn a_changed_byte_anywhere_is_refused_and_the_profile_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    fake_profile(&profile);
    let vault = Vault::open_with(&dir.path().join("data"), Some(KeyLocation::File)).unwrap();
    vault.seal(&profile).unwrap();
    let sealed = fs::read(vault.path()).unwrap();

    for index in [0, 8, 19, 20, sealed.len() / 2, sealed.len() - 1] {
        let mut tampered = sealed.clone();
        tampered[index] ^= 0x40;
        fs::write(vault.path(), &tampered).unwrap();
        let error = vault.restore(&profile).unwrap_err();
        let expected = matches!(error, VaultError::Undecryptable | VaultError::NotAVault(_));
        assert!(
            expected,
            "byte {index} changed must fail authentication, got: {error}"
        );
    }
    assert_eq!(
        VaultError::Undecryptable.to_string(),
        "the saved WhatsApp session could not be decrypted; link the phone again"
    );
    assert!(profile.join("Default/Cache/Cache_Data/data_0").exists());
    assert!(
        profile
            .join("Default/IndexedDB/https_web.whatsapp.com_0.indexeddb.leveldb/000003.log")
            .exists(),
        "a failed restore must not clear the session it could not replace"
    );
}

#[test]
fn truncated_or_foreign_files_are_errors_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    fake_profile(&profile);
    let vault = Vault::open_with(&dir.path().join("data"), Some(KeyLocation::File)).unwrap();
    vault.seal(&profile).unwrap();
    let sealed = fs::read(vault.path()).unwrap();

    for len in [0, 5, 8, 20, 35, 36, sealed.len() / 2, sealed.len() - 1] {
        fs::write(vault.path(), &sealed[..len]).unwrap();
        assert!(
            vault.restore(&dir.path().join("out")).is_err(),
            "a {len}-byte prefix must be refused"
        );
    }
    fs::write(vault.path(), b"PK\x03\x04 some zip, not a vault at all").unwrap();
    let error = vault.restore(&dir.path().join("out")).unwrap_err();
    assert!(matches!(error, VaultError::NotAVault(_)), "got: {error}");
}

#[test]
fn destroy_removes_the_vault_and_its_key() {
    for store in stores() {
        let dir = tempfile::tempdir().unwrap();
        let profile = dir.path().join("profile");
        let data = dir.path().join("data");
        fake_profile(&profile);
        let vault = Vault::open_with(&data, Some(store)).unwrap();
        vault.seal(&profile).unwrap();
        let sealed = fs::read(vault.path()).unwrap();

        vault.destroy().unwrap();
        assert!(!vault.exists(), "{store}: the vault file is gone");
        assert!(
            !data.join("session.key").exists(),
            "{store}: no key file is left"
        );
        // Put the old vault back: with the key gone, nothing can open it any more.
        fs::write(vault.path(), &sealed).unwrap();
        let reopened = Vault::open_with(&data, Some(store)).unwrap();
        let error = reopened.restore(&dir.path().join("out")).unwrap_err();
        assert!(
            matches!(error, VaultError::KeyMissing),
            "{store}: got {error}"
        );

        // Linking again works: the next seal makes a new key and replaces the orphaned vault.
        reopened.seal(&profile).unwrap();
        assert!(reopened.restore(&dir.path().join("out")).unwrap());
        reopened.destroy().unwrap();
    }
}

#[test]
fn auto_prefers_a_working_keychain_and_never_writes_a_key_file_then() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let data = dir.path().join("data");
    fake_profile(&profile);
    let vault = Vault::open_with(&data, None).unwrap();
    assert_eq!(vault.key_location(), expected_auto_store());
    vault.seal(&profile).unwrap();

    let key_file = data.join("session.key");
    if vault.key_location() == KeyLocation::File {
        assert_eq!(
            mode(&key_file),
            0o600,
            "the fallback key file is readable only by the user"
        );
        assert!(
            vault.key_location().warning().is_some(),
            "the user is told the key is in a file"
        );
    } else {
        assert!(
            !key_file.exists(),
            "a working keychain means no key on disk"
        );
    }
    // The key outlives the Vault value: a later run (a new Vault) opens the session.
    let later = Vault::open_with(&data, None).unwrap();
    assert_eq!(later.key_location(), vault.key_location());
    assert!(later.restore(&dir.path().join("out")).unwrap());
    later.destroy().unwrap();
}

#[test]
fn a_key_file_moves_into_a_keychain_once_one_works() {
    let Some(&keychain) = stores().get(1) else {
        eprintln!("no keychain here: the move into a keychain is not exercised");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let data = dir.path().join("data");
    fake_profile(&profile);
    Vault::open_with(&data, Some(KeyLocation::File))
        .unwrap()
        .seal(&profile)
        .unwrap();
    assert!(data.join("session.key").exists());

    let vault = Vault::open_with(&data, None).unwrap();
    assert_eq!(vault.key_location(), keychain);
    assert!(!data.join("session.key").exists(), "the key left the disk");
    assert!(
        vault.restore(&dir.path().join("out")).unwrap(),
        "the moved key still opens the vault"
    );
    vault.destroy().unwrap();
}

#[test]
fn two_data_directories_have_separate_keys() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    fake_profile(&profile);
    let first = Vault::open_with(&dir.path().join("one"), None).unwrap();
    let second = Vault::open_with(&dir.path().join("two"), None).unwrap();
    first.seal(&profile).unwrap();
    second.seal(&profile).unwrap();

    fs::copy(first.path(), second.path()).unwrap();
    let error = second.restore(&dir.path().join("out")).unwrap_err();
    assert!(matches!(error, VaultError::Undecryptable), "got: {error}");
    first.destroy().unwrap();
    second.destroy().unwrap();
}

#[test]
fn a_profile_left_by_a_crash_is_sealed_before_restoring() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let data = dir.path().join("data");
    fake_profile(&profile);
    let vault = Vault::open_with(&data, None).unwrap();
    vault.seal(&profile).unwrap();
    // The session moves on after the last checkpoint, then the app dies without sealing.
    let log = profile.join("Default/Local Storage/leveldb/000003.log");
    fs::write(&log, b"newer session state").unwrap();
    drop(vault);

    let vault = Vault::open_with(&data, None).unwrap();
    assert!(
        vault.recover_leftover(&profile).unwrap(),
        "the leftover plaintext is sealed"
    );
    remove_plaintext(&profile).unwrap();
    assert!(!profile.exists());
    assert!(
        !vault.recover_leftover(&profile).unwrap(),
        "nothing left over after a clean exit"
    );
    assert!(vault.restore(&profile).unwrap());
    assert_eq!(
        fs::read(&log).unwrap(),
        b"newer session state",
        "the newer state won"
    );
    vault.destroy().unwrap();
}

#[test]
fn restore_replaces_stale_session_files_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    fake_profile(&profile);
    let vault = Vault::open_with(&dir.path().join("data"), Some(KeyLocation::File)).unwrap();
    vault.seal(&profile).unwrap();
    let stale =
        profile.join("Default/IndexedDB/https_web.whatsapp.com_0.indexeddb.leveldb/000009.ldb");
    fs::write(&stale, b"from another session").unwrap();

    assert!(vault.restore(&profile).unwrap());
    assert!(
        !stale.exists(),
        "a stale LevelDB file would corrupt the restored database"
    );
    assert!(
        profile.join("Default/Preferences").exists(),
        "other profile content is not the vault's"
    );
}

#[test]
fn nothing_to_restore_or_seal_is_reported_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::open_with(&dir.path().join("data"), Some(KeyLocation::File)).unwrap();
    assert!(
        !vault.restore(&dir.path().join("profile")).unwrap(),
        "no vault yet"
    );
    assert!(
        !dir.path().join("profile").exists(),
        "restoring nothing touches nothing"
    );
    let error = vault.seal(&dir.path().join("empty")).unwrap_err();
    assert!(matches!(error, VaultError::NoSession(_)), "got: {error}");
    assert!(!vault.exists(), "an empty profile never replaces a vault");
}
