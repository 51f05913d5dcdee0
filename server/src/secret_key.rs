//! The server's secret key, which encrypts stored secrets (TOTP seeds and access key secrets). It comes from the file
//! `--secret-key-file` names or, by default, `<DATA>/secret.key`, which is generated on first
//! start with mode 0600. Earlier keys named by `--previous-secret-key-files` still decrypt what
//! they encrypted, so a key can be replaced without losing anyone's MFA device.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
use gatehouse_iam::{SecretKey, SecretKeys};

use crate::config::DatabaseArgs;

pub fn load(args: &DatabaseArgs) -> Result<SecretKeys> {
    let current = match &args.secret_key_file {
        Some(path) => read(path)?,
        None => read_or_create(&args.data_dir.join("secret.key"))?,
    };
    let previous = args
        .previous_secret_key_files
        .iter()
        .map(|path| read(path))
        .collect::<Result<Vec<_>>>()?;
    Ok(SecretKeys::new(current, previous))
}

fn read(path: &Path) -> Result<SecretKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the secret key file {}", path.display()))?;
    check_private(path)?;
    SecretKey::from_hex(&text).with_context(|| format!("the secret key file {}", path.display()))
}

/// Reads the default key file, creating it with a new random key if there is none. The key is
/// written to a private temporary file first and then linked into place, which fails if the file
/// appeared meanwhile: two processes starting at once end up with the same key, and nobody ever
/// reads a half-written file.
fn read_or_create(path: &Path) -> Result<SecretKey> {
    if path.exists() {
        return read(path);
    }
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    let key = SecretKey::generate();
    let temporary = dir.join(format!(".secret.key.{}.{}", std::process::id(), key.id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options
        .open(&temporary)
        .and_then(|mut file| {
            writeln!(file, "{}", key.to_hex())?;
            file.sync_all()
        })
        .with_context(|| format!("cannot write the secret key file {}", temporary.display()));
    let linked = written.and_then(|()| {
        std::fs::hard_link(&temporary, path).or_else(|e| match e.kind() {
            // Another process made the key first: use theirs.
            std::io::ErrorKind::AlreadyExists => Ok(()),
            _ => Err(e).with_context(|| format!("cannot create the secret key file {}", path.display())),
        })
    });
    let _ = std::fs::remove_file(&temporary);
    linked?;
    let stored = read(path)?;
    if stored.id() == key.id() {
        tracing::info!(path = %path.display(), key_id = key.id(), "generated a new secret key");
    }
    Ok(stored)
}

/// Refuses a key file that others than its owner may read.
fn check_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            bail!(
                "the secret key file {} may be read by others (mode {:o}): chmod 600 it",
                path.display(),
                mode & 0o777
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_default_key_is_generated_once_private_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join("secret.key");
        let first = read_or_create(&path).unwrap();
        let again = read_or_create(&path).unwrap();
        assert_eq!(first.id(), again.id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(read(&path).unwrap_err().to_string().contains("chmod 600"));
        }
        std::fs::write(dir.path().join("bad.key"), "not a key").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path().join("bad.key"), std::fs::Permissions::from_mode(0o600))
                .unwrap();
        }
        let err = format!("{:#}", read(&dir.path().join("bad.key")).unwrap_err());
        assert!(err.contains("64 hexadecimal digits"), "{err}");
    }

    #[test]
    fn processes_starting_at_once_share_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let ids: Vec<String> = std::thread::scope(|scope| {
            let starts: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| read_or_create(&path).unwrap().id().to_owned()))
                .collect();
            starts.into_iter().map(|s| s.join().unwrap()).collect()
        });
        assert!(ids.iter().all(|id| id == &ids[0]), "{ids:?}");
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(files.len(), 1, "no temporary file is left behind");
    }
}
