//! Watching the repository for `aimsc serve`: which changes call for a
//! rebuild ([`Filter`]) and the watcher itself ([`Watcher`]).
//!
//! A change matters unless it is in the output folder, in `.git` (except
//! `.git/logs/HEAD`, which moves on every commit and checkout, so the
//! portal's document history follows), in a hidden file or folder (which the
//! compiler never reads; `.gitignore` excepted, since it decides what is
//! read), in an editor's temporary file, or in what `.gitignore` excludes.
//!
//! The root is watched alone, and each top-level folder that matters
//! recursively: `.git`, the output folder and ignored trees such as
//! `node_modules/` are never watched at all, which spares inotify watches
//! and, with `--poll`, a scan of every Git object twice a second.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use ignore::gitignore::Gitignore;
use notify_debouncer_full::notify::event::{AccessKind, AccessMode};
use notify_debouncer_full::notify::{self, EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, NoCache};

/// How long the debouncer holds each event, to pair renames and drop duplicates.
pub const QUIET: Duration = Duration::from_millis(10);
/// How often the debouncer hands on the events it has held long enough.
const TICK: Duration = Duration::from_millis(5);
/// How long the builder waits for more events before it rebuilds: editors
/// save in several steps (temporary file, rename, attributes) within a few
/// milliseconds, and one rebuild should follow, not three.
pub const SETTLE: Duration = Duration::from_millis(10);
/// The longest the builder gathers events before it rebuilds anyway.
pub const GATHER_AT_MOST: Duration = Duration::from_millis(500);
/// How often `--poll` scans the watched folders.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Whether an event kind can change what a build reads. Opening and
/// reading are reported too, and every build reads every file: counting them
/// would make each build trigger the next.
pub fn changes(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Decides which changed paths call for a rebuild.
pub struct Filter {
    root: PathBuf,
    /// The output folder's components, relative to the root (empty when it
    /// lies outside the repository, where no event comes from anyway).
    output: Vec<String>,
    /// Parsed `.gitignore` of each folder asked about (`None`: it has none).
    gitignores: HashMap<PathBuf, Option<Gitignore>>,
}

fn is_editor_temp(name: &str) -> bool {
    name.ends_with('~')
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
}

impl Filter {
    pub fn new(root: &Path, output: &str) -> Filter {
        let mut f = Filter {
            root: root.to_path_buf(),
            output: Vec::new(),
            gitignores: HashMap::new(),
        };
        f.set_output(output);
        f
    }

    /// Follows a change of `output` in aimsc.toml; true when it moved.
    pub fn set_output(&mut self, output: &str) -> bool {
        let mut parts: Vec<String> = Vec::new();
        for c in Path::new(output).components() {
            match c {
                Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
                Component::CurDir => {}
                // Outside the repository (or unusable): nothing inside to skip.
                _ => {
                    parts.clear();
                    break;
                }
            }
        }
        let moved = self.output != parts;
        self.output = parts;
        moved
    }

    /// Drops the parsed `.gitignore` files, after one of them changed.
    pub fn forget_gitignores(&mut self) {
        self.gitignores.clear();
    }

    /// Whether a change at `path` (absolute, under the root) calls for a rebuild.
    pub fn relevant(&mut self, path: &Path) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        let parts: Vec<String> = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        let Some(name) = parts.last() else {
            // The root itself (a rescan, or the folder replaced): rebuild.
            return true;
        };
        if parts == [".git", "logs", "HEAD"] {
            return true;
        }
        if parts[0] == ".git" || (!self.output.is_empty() && parts.starts_with(&self.output)) {
            return false;
        }
        if name == ".gitignore" {
            return true;
        }
        if parts.iter().any(|p| p.starts_with('.')) || is_editor_temp(name) {
            return false;
        }
        !self.git_ignored(rel, path.is_dir())
    }

    /// Whether the `.gitignore` files of the folders above `rel` exclude it;
    /// the deepest one that has a say decides, as in Git.
    fn git_ignored(&mut self, rel: &Path, is_dir: bool) -> bool {
        let mut dirs: Vec<PathBuf> = rel.ancestors().skip(1).map(Path::to_path_buf).collect();
        // Deepest first.
        dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        for dir in dirs {
            let root = &self.root;
            let gi = self.gitignores.entry(dir.clone()).or_insert_with(|| {
                let file = root.join(&dir).join(".gitignore");
                file.is_file().then(|| Gitignore::new(&file).0)
            });
            let Some(gi) = gi else { continue };
            let Ok(below) = rel.strip_prefix(&dir) else {
                continue;
            };
            // Relative to the .gitignore's folder, so the matcher never sees a foreign root.
            let m = gi.matched_path_or_any_parents(below, is_dir);
            if m.is_ignore() {
                return true;
            }
            if m.is_whitelist() {
                return false;
            }
        }
        false
    }
}

/// The two kinds of watcher behind one debouncer type each.
enum Inner {
    Native(Debouncer<RecommendedWatcher, NoCache>),
    Poll(Debouncer<PollWatcher, NoCache>),
}

impl Inner {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Inner::Native(d) => d.watch(path, mode),
            Inner::Poll(d) => d.watch(path, mode),
        }
    }

    fn unwatch(&mut self, path: &Path) {
        let _ = match self {
            Inner::Native(d) => d.unwatch(path),
            Inner::Poll(d) => d.unwatch(path),
        };
    }
}

/// The running watcher; debounced events go to the channel given to [`Watcher::start`].
pub struct Watcher {
    inner: Inner,
    root: PathBuf,
    /// Top-level folders watched recursively.
    folders: BTreeSet<PathBuf>,
}

impl Watcher {
    /// Starts watching `root` (canonical) and the top-level folders that `filter` lets through.
    pub fn start(
        root: &Path,
        poll: bool,
        filter: &mut Filter,
        tx: Sender<DebounceEventResult>,
    ) -> Result<Watcher, String> {
        let inner = if poll {
            // notify's poller compares modification times in whole seconds, so a
            // second save within the same second would go unseen; comparing
            // contents too (a read of each watched file per scan) sees it.
            let config = notify::Config::default()
                .with_poll_interval(POLL_INTERVAL)
                .with_compare_contents(true);
            notify_debouncer_full::new_debouncer_opt::<_, PollWatcher, NoCache>(QUIET, Some(TICK), tx, NoCache, config)
                .map(Inner::Poll)
        } else {
            notify_debouncer_full::new_debouncer_opt::<_, RecommendedWatcher, NoCache>(
                QUIET,
                Some(TICK),
                tx,
                NoCache,
                notify::Config::default(),
            )
            .map(Inner::Native)
        }
        .map_err(|e| format!("cannot watch `{}`: {e}", root.display()))?;
        let mut w = Watcher {
            inner,
            root: root.to_path_buf(),
            folders: BTreeSet::new(),
        };
        w.inner
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|e| format!("cannot watch `{}`: {e}", root.display()))?;
        let head = root.join(".git/logs/HEAD");
        if head.is_file() {
            // Not essential: without it a commit shows at the next edit.
            let _ = w.inner.watch(&head, RecursiveMode::NonRecursive);
        }
        w.sync(filter)?;
        Ok(w)
    }

    /// Watches the top-level folders that matter now, and stops watching
    /// those gone or now ignored; called after a change at the top level or
    /// to a `.gitignore`.
    pub fn sync(&mut self, filter: &mut Filter) -> Result<(), String> {
        let mut wanted = BTreeSet::new();
        let entries =
            std::fs::read_dir(&self.root).map_err(|e| format!("cannot read `{}`: {e}", self.root.display()))?;
        for entry in entries.flatten() {
            // A symbolic link is not followed: the compiler's walk does not follow them either.
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            let path = entry.path();
            if is_dir && filter.relevant(&path) {
                wanted.insert(path);
            }
        }
        for gone in self.folders.difference(&wanted).cloned().collect::<Vec<_>>() {
            self.inner.unwatch(&gone);
            self.folders.remove(&gone);
        }
        for new in wanted {
            if self.folders.contains(&new) {
                continue;
            }
            match self.inner.watch(&new, RecursiveMode::Recursive) {
                Ok(()) => {
                    self.folders.insert(new);
                }
                // Removed again before it could be watched: nothing to watch.
                Err(_) if !new.exists() => {}
                Err(e) => return Err(format!("cannot watch `{}`: {e}", new.display())),
            }
        }
        Ok(())
    }

    /// Whether an event at `path` may change which top-level folders are watched.
    pub fn affects_folders(&self, path: &Path) -> bool {
        path.parent() == Some(self.root.as_path()) || path.file_name().is_some_and(|n| n == ".gitignore")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_calls_for_a_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("policies/drafts")).unwrap();
        std::fs::create_dir_all(root.join("node_modules/x")).unwrap();
        std::fs::write(root.join(".gitignore"), "node_modules/\n*.bak\n").unwrap();
        std::fs::write(root.join("policies/.gitignore"), "scratch.md\n!keep.bak\n").unwrap();
        let mut f = Filter::new(root, "./_site/");
        let yes = [
            "policies/access.md",
            "aimsc.toml",
            "templates/base.html",
            "catalogs/own.yaml",
            "policies/drafts/new.md",
            ".gitignore",
            "policies/.gitignore",
            ".git/logs/HEAD",
            "policies/keep.bak",
            "",
        ];
        for rel in yes {
            assert!(f.relevant(&root.join(rel)), "{rel} should rebuild");
        }
        let no = [
            "_site/index.html",
            "_site",
            ".git/index",
            ".git/objects/ab/cdef",
            "policies/access.md~",
            "policies/.access.md.swp",
            "policies/.access.md.swx",
            "policies/4913",
            "policies/#access.md#",
            "policies/.#access.md",
            "policies/access.md___jb_tmp___",
            ".vscode/settings.json",
            "node_modules/x/y.md",
            "old.bak",
            "policies/scratch.md",
            "policies/drafts/scratch.md",
        ];
        for rel in no {
            assert!(!f.relevant(&root.join(rel)), "{rel} should not rebuild");
        }
        assert!(!f.relevant(Path::new("/elsewhere/x.md")));
        f.set_output("public");
        assert!(f.relevant(&root.join("_site/index.html")));
        assert!(!f.relevant(&root.join("public/index.html")));
        f.set_output("../outside");
        assert!(f.relevant(&root.join("outside/x.md")));
    }

    #[test]
    fn reading_is_no_change() {
        use notify::event::{CreateKind, ModifyKind, RemoveKind};
        assert!(!changes(&EventKind::Access(AccessKind::Open(AccessMode::Read))));
        assert!(!changes(&EventKind::Access(AccessKind::Close(AccessMode::Read))));
        assert!(changes(&EventKind::Access(AccessKind::Close(AccessMode::Write))));
        assert!(changes(&EventKind::Modify(ModifyKind::Any)));
        assert!(changes(&EventKind::Create(CreateKind::File)));
        assert!(changes(&EventKind::Remove(RemoveKind::Any)));
        assert!(changes(&EventKind::Any));
    }
}
