//! A directory that appears at its final path only once complete: files go into
//! `.NAME.partial-PID` beside it, and `commit` renames that into place.

use std::path::{Path, PathBuf};

use crate::error::{AnalyticsError, Result};

/// A staging directory for `target`; removed on drop unless committed.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    replace: bool,
    committed: bool,
}

/// The prefix of staging directories, so that readers and cleanups can tell them apart.
pub const PARTIAL_MARK: &str = ".partial-";

fn sibling(target: &Path, kind: &str) -> Result<PathBuf> {
    let name = target
        .file_name()
        .ok_or_else(|| AnalyticsError::Io {
            path: target.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a directory name"),
        })?
        .to_string_lossy();
    let parent = target.parent().unwrap_or(Path::new("."));
    Ok(parent.join(format!(".{name}{kind}{}", std::process::id())))
}

fn is_empty_dir(path: &Path) -> Result<bool> {
    Ok(std::fs::read_dir(path)
        .map_err(AnalyticsError::io(path))?
        .next()
        .is_none())
}

impl Staging {
    /// Prepares a staging directory for `target`. Fails at once if `target` exists, is not
    /// empty and `replace` is false, so a long run does not fail only at its end.
    pub fn create(target: &Path, replace: bool) -> Result<Self> {
        if target.exists() && !replace && !is_empty_dir(target)? {
            return Err(AnalyticsError::OutputExists(target.to_owned()));
        }
        let parent = target.parent().unwrap_or(Path::new("."));
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(AnalyticsError::io(parent))?;
        }
        let dir = sibling(target, PARTIAL_MARK)?;
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(AnalyticsError::io(&dir))?;
        }
        std::fs::create_dir(&dir).map_err(AnalyticsError::io(&dir))?;
        Ok(Self {
            dir,
            target: target.to_owned(),
            replace,
            committed: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Moves the finished directory to its target, replacing an older one when allowed.
    pub fn commit(mut self) -> Result<PathBuf> {
        let old = sibling(&self.target, ".old-")?;
        let had_old = self.target.exists();
        if had_old {
            if !self.replace && !is_empty_dir(&self.target)? {
                return Err(AnalyticsError::OutputExists(self.target.clone()));
            }
            std::fs::rename(&self.target, &old).map_err(AnalyticsError::io(&self.target))?;
        }
        std::fs::rename(&self.dir, &self.target).map_err(AnalyticsError::io(&self.target))?;
        self.committed = true;
        if had_old {
            std::fs::remove_dir_all(&old).map_err(AnalyticsError::io(&old))?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: a leftover is still hidden and named partial.
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn nothing_appears_at_the_target_until_commit() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let staging = Staging::create(&target, false).unwrap();
        std::fs::write(staging.path().join("a.csv"), "x\n").unwrap();
        assert!(!target.exists());
        assert!(
            staging
                .path()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".out.partial-")
        );
        staging.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("a.csv")).unwrap(),
            "x\n"
        );
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_dropped_staging_directory_leaves_nothing() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let staging = Staging::create(&target, false).unwrap();
        std::fs::write(staging.path().join("a.csv"), "x\n").unwrap();
        drop(staging);
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 0);
    }

    #[test]
    fn an_existing_folder_is_kept_unless_replacing() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("old.csv"), "old\n").unwrap();
        assert!(matches!(
            Staging::create(&target, false),
            Err(AnalyticsError::OutputExists(_))
        ));
        let staging = Staging::create(&target, true).unwrap();
        std::fs::write(staging.path().join("new.csv"), "new\n").unwrap();
        staging.commit().unwrap();
        assert!(!target.join("old.csv").exists());
        assert!(target.join("new.csv").exists());
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }
}
