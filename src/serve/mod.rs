//! `aimsc serve`: the portal served from memory while the repository is
//! edited, rebuilt in full on every change, with live reload.
//!
//! Three parts, each in its own module: [`watch`] decides which changes
//! matter and watches for them (native events, or `--poll`); [`state`] holds
//! the latest build, swapped whole so no request sees half of one; [`http`]
//! maps requests onto the in-memory file map and injects the live-reload
//! script and the error overlay into HTML. This module wires them together:
//! one builder thread that turns batches of changes into rebuilds, and the
//! request loop.
//!
//! Every rebuild is complete (check, then render every page), as Zola
//! learned that partial rebuilds serve stale pages; what makes it quick is
//! [`crate::site::memo`], which reuses a body or page only when all of its
//! inputs are identical to the previous build's. Nothing is written to disk:
//! the output folder is neither read nor replaced.

pub mod http;
pub mod state;
pub mod watch;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify_debouncer_full::DebounceEventResult;

use crate::analysis::Compilation;
use crate::diagnostics::Severity;
use state::{Live, Portal};
use watch::{Filter, Watcher};

/// A failure that stops `aimsc serve` (the port is taken, the repository
/// cannot be watched); build failures are not errors, they are shown.
#[derive(Debug)]
pub struct ServeError(pub String);

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ServeError {}

/// How to serve.
#[derive(Clone, Debug)]
pub struct Options {
    pub repo: PathBuf,
    /// Address to listen on; the loopback address unless the user says otherwise.
    pub bind: IpAddr,
    /// Port; 0 lets the system pick a free one.
    pub port: u16,
    /// Poll the file system instead of native events (network drives, containers).
    pub poll: bool,
    /// The date reviews are judged against; `None`: the day of each build.
    pub today: Option<jiff::civil::Date>,
}

/// What the server has to tell, for the command line to print.
#[derive(Debug)]
pub enum Note {
    /// A build succeeded and is being served.
    Built {
        pages: usize,
        files: usize,
        warnings: usize,
        elapsed: Duration,
        /// Templates and assets the repository overrides.
        overridden: Vec<String>,
        /// The first changed path that caused it; `None` for the first build.
        trigger: Option<String>,
    },
    /// A build failed; the previous portal (if any) is still served.
    Failed {
        /// The diagnostics or the tool error, as shown in the browser.
        text: String,
        elapsed: Duration,
        trigger: Option<String>,
    },
    /// The watcher reported a problem; serving goes on.
    Watch(String),
    /// A connection could not be accepted (too many open files, say); serving goes on.
    Accept(String),
}

/// Receives the server's [`Note`]s, from the builder and request-loop threads.
pub type Notes = Arc<dyn Fn(&Note) + Send + Sync + 'static>;

/// Requests answered at once; more wait for a slot rather than start
/// threads without bound (each long poll holds one for up to [`http::HOLD`]).
const MAX_IN_FLIGHT: usize = 256;

/// A server that has built the portal once and is ready to answer.
pub struct Server {
    http: tiny_http::Server,
    live: Arc<Live>,
    addr: SocketAddr,
    loopback_only: bool,
    notes: Notes,
    /// The builder thread; it runs as long as the process, like the server.
    _builder: std::thread::JoinHandle<()>,
}

impl Server {
    /// Binds the address, starts watching, builds the portal once, and
    /// starts the builder thread. The first build's note is sent before this returns.
    pub fn start(opts: Options, notes: Notes) -> Result<Server, ServeError> {
        let root = opts
            .repo
            .canonicalize()
            .ok()
            .filter(|r| r.is_dir())
            .ok_or_else(|| ServeError(format!("`{}` is not a folder", opts.repo.display())))?;
        let listener = TcpListener::bind((opts.bind, opts.port)).map_err(|e| {
            let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
                "; pass --port N for another port, or --port 0 for any free one"
            } else {
                ""
            };
            ServeError(format!("cannot listen on {}:{}: {e}{hint}", opts.bind, opts.port))
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| ServeError(format!("cannot read the listening address: {e}")))?;
        let http = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| ServeError(format!("cannot start the HTTP server: {e}")))?;

        // Watching starts before the first build, so a change made during it is not missed.
        let (tx, rx) = channel();
        let mut filter = Filter::new(&root, &configured_output(&root));
        let watcher = Watcher::start(&root, opts.poll, &mut filter, tx).map_err(ServeError)?;

        let live = Arc::new(Live::default());
        let builder = Builder {
            root,
            today: opts.today,
            live: live.clone(),
            notes: notes.clone(),
            filter,
            watcher,
            memo: Default::default(),
        };
        let builder = builder.first_build();
        let handle = std::thread::Builder::new()
            .name("aimsc-builder".into())
            .spawn(move || builder.run(rx))
            .map_err(|e| ServeError(format!("cannot start the builder thread: {e}")))?;
        Ok(Server {
            http,
            live,
            addr,
            loopback_only: opts.bind.is_loopback(),
            notes,
            _builder: handle,
        })
    }

    /// The address the server listens on (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The portal's address, to print.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Answers requests until the process ends, each on its own thread so
    /// that a held live-reload request never delays a page.
    pub fn run(self) -> ! {
        let in_flight = Arc::new((Mutex::new(0usize), std::sync::Condvar::new()));
        loop {
            let request = match self.http.recv() {
                Ok(r) => r,
                Err(e) => {
                    (self.notes)(&Note::Accept(e.to_string()));
                    // Whatever ran out (file descriptors, most often) may come back; not in a hot loop.
                    std::thread::sleep(Duration::from_millis(100));
                    continue;
                }
            };
            let slot = Slot::take(&in_flight);
            let live = self.live.clone();
            let loopback_only = self.loopback_only;
            let spawned = std::thread::Builder::new().name("aimsc-request".into()).spawn(move || {
                let _slot = slot;
                http::handle(request, &live, loopback_only);
            });
            // Out of threads: the request is dropped (the client sees the
            // connection close) and the server goes on.
            drop(spawned);
        }
    }
}

/// One of [`MAX_IN_FLIGHT`] request slots, given back on drop (also when a
/// request thread panics).
struct Slot(Arc<(Mutex<usize>, std::sync::Condvar)>);

impl Slot {
    fn take(pool: &Arc<(Mutex<usize>, std::sync::Condvar)>) -> Slot {
        let (count, freed) = &**pool;
        let mut n = count.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while *n >= MAX_IN_FLIGHT {
            n = freed.wait(n).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *n += 1;
        Slot(pool.clone())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let (count, freed) = &*self.0;
        let mut n = count.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *n = n.saturating_sub(1);
        freed.notify_one();
    }
}

/// The output folder named in aimsc.toml (default `_site`), read before the
/// first build so the watcher skips it from the start.
fn configured_output(root: &Path) -> String {
    let file = root.join(crate::model::CONFIG_FILE);
    match std::fs::read_to_string(&file) {
        Ok(text) => {
            let source = Arc::new(crate::diagnostics::SourceFile::new(crate::model::CONFIG_FILE, text));
            crate::model::Config::parse(&source).0.output
        }
        Err(_) => crate::model::Config::default().output,
    }
}

/// The builder thread's state.
struct Builder {
    root: PathBuf,
    today: Option<jiff::civil::Date>,
    live: Arc<Live>,
    notes: Notes,
    filter: Filter,
    watcher: Watcher,
    /// Document bodies of the last build, reused when their inputs are identical.
    memo: crate::site::memo::Memo,
}

/// A successful build, before it is published.
struct Good {
    portal: Portal,
    pages: usize,
    warnings: usize,
    overridden: Vec<String>,
}

impl Builder {
    fn first_build(mut self) -> Builder {
        self.rebuild(None);
        self
    }

    /// Turns batches of changes into rebuilds until the watcher goes away.
    fn run(mut self, rx: Receiver<DebounceEventResult>) {
        while let Ok(first) = rx.recv() {
            let mut wanted = None;
            self.absorb(first, &mut wanted);
            if wanted.is_none() {
                continue;
            }
            // The debouncer delays each event but does not wait for its path to
            // go quiet, so the events of one save can come out a tick apart, and
            // a build started on the first would be followed by a second. Gather
            // until nothing has come for a moment (bounded, so that a file
            // written without pause cannot hold rebuilds off for ever).
            let start = Instant::now();
            while start.elapsed() < watch::GATHER_AT_MOST {
                match rx.recv_timeout(watch::SETTLE) {
                    Ok(batch) => self.absorb(batch, &mut wanted),
                    Err(_) => break,
                }
            }
            self.rebuild(wanted);
        }
    }

    /// Takes in one batch of events: follows `.gitignore` and top-level
    /// changes, and sets `wanted` to the first change that calls for a rebuild.
    fn absorb(&mut self, batch: DebounceEventResult, wanted: &mut Option<String>) {
        let mut paths: Vec<PathBuf> = Vec::new();
        let mut rescan = false;
        match batch {
            Ok(events) => {
                for e in events {
                    rescan |= e.need_rescan();
                    if watch::changes(&e.event.kind) {
                        paths.extend(e.event.paths);
                    }
                }
            }
            Err(errors) => {
                let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
                (self.notes)(&Note::Watch(text.join("; ")));
                // The watcher may have lost track of changes: look again.
                rescan = true;
            }
        }
        if paths.iter().any(|p| p.file_name().is_some_and(|n| n == ".gitignore")) {
            self.filter.forget_gitignores();
        }
        if paths.iter().any(|p| self.watcher.affects_folders(p)) {
            self.sync_watches();
        }
        if wanted.is_none() {
            *wanted = paths.iter().find(|p| self.filter.relevant(p)).map(|p| self.shown(p));
        }
        if rescan && wanted.is_none() {
            *wanted = Some("(rescan)".into());
        }
    }

    fn sync_watches(&mut self) {
        if let Err(e) = self.watcher.sync(&mut self.filter) {
            (self.notes)(&Note::Watch(e));
        }
    }

    /// A changed path as the user wrote it: relative to the repository.
    fn shown(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        let s = rel.to_string_lossy().replace('\\', "/");
        if s.is_empty() { ".".into() } else { s }
    }

    /// Builds in full, publishes the outcome and tells about it; `trigger`
    /// is the change that called for it (`None` for the first build).
    fn rebuild(&mut self, trigger: Option<String>) {
        let start = Instant::now();
        let attempt = build(&self.root, self.today, &self.memo);
        let elapsed = start.elapsed();
        match attempt.outcome {
            Ok(good) => {
                let note = Note::Built {
                    pages: good.pages,
                    files: good.portal.files.len(),
                    warnings: good.warnings,
                    elapsed,
                    overridden: good.overridden,
                    trigger,
                };
                self.live.publish(Ok(good.portal));
                (self.notes)(&note);
            }
            Err(text) => {
                self.live.publish(Err(text.clone()));
                (self.notes)(&Note::Failed { text, elapsed, trigger });
            }
        }
        drop(attempt.compilation);
        if let Some(output) = attempt.output
            && self.filter.set_output(&output)
        {
            // aimsc.toml moved the output folder: stop or start watching the old and new ones.
            self.sync_watches();
        }
    }
}

/// The result of one build, with what it was made from.
struct Attempt {
    outcome: Result<Good, String>,
    /// The configured output folder, when aimsc.toml could be read.
    output: Option<String>,
    /// Kept until the outcome is published: freeing a thousand parsed
    /// documents takes a few milliseconds nobody should wait for.
    compilation: Option<Compilation>,
}

/// One full build in memory: check, then (when the check finds no error) render.
fn build(root: &Path, today: Option<jiff::civil::Date>, memo: &crate::site::memo::Memo) -> Attempt {
    let today = today.unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    let c = match Compilation::run(root, today) {
        Ok(c) => c,
        Err(e) => {
            return Attempt {
                outcome: Err(format!("error: {e}\n")),
                output: None,
                compilation: None,
            };
        }
    };
    let output = Some(c.project.config.output.clone());
    let errors: Vec<crate::diagnostics::Diagnostic> = c
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    let outcome = if errors.is_empty() {
        let warnings = c.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count();
        let opts = crate::site::Options {
            out: root.join(&c.project.config.output),
            base_url: None,
        };
        match crate::site::render_with(&c, &opts, memo) {
            Ok(r) => Ok(Good {
                pages: r.pages,
                warnings,
                overridden: r.overridden,
                portal: Portal::new(r.files),
            }),
            Err(e) => Err(format!("error: {e}\n")),
        }
    } else {
        let mut text = crate::diagnostics::render::human(&errors, &c.project.sources, false);
        text.push_str(&format!(
            "error: the portal was not rebuilt: `aimsc check` finds {}\n",
            crate::diagnostics::plural(errors.len(), "error")
        ));
        Err(text)
    };
    Attempt {
        outcome,
        output,
        compilation: Some(c),
    }
}
