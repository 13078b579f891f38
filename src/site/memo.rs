//! Rendered document bodies and pages remembered from one build to the
//! next, for `aimsc serve`, where one edited document should not re-render a
//! thousand unchanged ones.
//!
//! Both are pure functions of inputs that are cheap to compare:
//! - a body (Markdown, then ammonia) of the body text, its headings, the
//!   title, the document's path, the page's depth, and the portal's
//!   [`Links`];
//! - a page (tera) of its template, its path, title and section, its data,
//!   and the site-wide information, given the same templates. tera 2 has no
//!   function that reads the clock, the environment or chance, and aimsc
//!   registers none; templates overridden by the repository could change
//!   between builds, so pages are only remembered with the built-in ones.
//!
//! Nothing is reused on a hash: a body's inputs are compared in full, a
//! page's data by its whole JSON serialisation, and everything is dropped as
//! soon as a link target of the portal or the site information changes. So
//! a reused body or page is byte for byte what rendering would produce, and
//! no page is ever stale (unlike dependency-guessing partial rebuilds).
//! Only the last build's entries are kept, so the memo holds at most one
//! portal's worth.
//!
//! `aimsc build` renders once per process, with [`Memo::off`].

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

use super::markdown::Links;
use crate::model::body::Heading;

/// Everything a rendered body depends on, owned.
#[derive(PartialEq, Eq, Hash)]
struct BodyKey {
    src: String,
    headings: Vec<(u8, String, String)>,
    title: String,
    path: String,
    root: String,
}

/// Everything a rendered page depends on besides the templates and the site information.
#[derive(PartialEq, Eq, Hash)]
struct PageKey {
    template: String,
    path: String,
    title: String,
    section: String,
    data: Vec<u8>,
}

/// A key with its hash computed once: a page's key is its whole data, and
/// a lookup moves it between maps, which would hash it each time. Equality
/// still compares the keys in full; the hash only finds the candidates.
struct Keyed<K> {
    hash: u64,
    key: K,
}

impl<K: Hash> Keyed<K> {
    fn new(key: K) -> Keyed<K> {
        let mut h = DefaultHasher::new();
        key.hash(&mut h);
        Keyed { hash: h.finish(), key }
    }
}

impl<K> Hash for Keyed<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl<K: PartialEq> PartialEq for Keyed<K> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.key == other.key
    }
}

impl<K: Eq> Eq for Keyed<K> {}

/// Entries of the previous build and of this one.
struct Generations<K, V> {
    /// The previous build's, not yet asked for in this one.
    previous: HashMap<Keyed<K>, V>,
    /// This build's: what the next build may reuse.
    current: HashMap<Keyed<K>, V>,
}

impl<K, V> Default for Generations<K, V> {
    fn default() -> Self {
        Generations {
            previous: HashMap::new(),
            current: HashMap::new(),
        }
    }
}

impl<K: Eq + Hash, V: Clone> Generations<K, V> {
    /// Starts a build; `keep`: the previous entries are still valid. Entries
    /// of a build that failed half-way are kept with them.
    fn begin(&mut self, keep: bool) {
        if keep {
            let current = std::mem::take(&mut self.current);
            self.previous.extend(current);
        } else {
            self.previous.clear();
            self.current.clear();
        }
    }

    fn end(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }

    fn get(&mut self, key: Keyed<K>) -> Result<V, Keyed<K>> {
        if let Some(v) = self.current.get(&key) {
            return Ok(v.clone());
        }
        match self.previous.remove(&key) {
            Some(v) => {
                self.current.insert(key, v.clone());
                Ok(v)
            }
            None => Err(key),
        }
    }
}

#[derive(Default)]
struct Inner {
    /// The links the remembered bodies were rendered with.
    links: Option<Arc<Links>>,
    bodies: Generations<BodyKey, Arc<str>>,
    /// The site information the remembered pages were rendered with, as
    /// JSON; `None` while pages are not remembered.
    site: Option<Vec<u8>>,
    pages: Generations<PageKey, Arc<str>>,
}

/// Remembered bodies and pages; shared by the threads rendering one build.
pub struct Memo {
    /// Off for a single build, which would only pay for keys never asked again.
    on: bool,
    inner: Mutex<Inner>,
}

impl Default for Memo {
    /// A memo that remembers.
    fn default() -> Memo {
        Memo {
            on: true,
            inner: Mutex::default(),
        }
    }
}

fn same_links(a: &Links, b: &Links) -> bool {
    a.by_id == b.by_id && a.by_path == b.by_path && a.requirements == b.requirements
}

impl Memo {
    /// A memo that remembers nothing: every body and page is rendered.
    pub fn off() -> Memo {
        Memo {
            on: false,
            inner: Mutex::default(),
        }
    }

    /// A poisoned lock means a rendering thread panicked mid-build; the maps
    /// hold only whole entries, so they are still sound to use.
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a build rendered with `links` and the site information `site`;
    /// `builtin_templates`: no template is the repository's own. Forgets what
    /// these inputs invalidate.
    pub fn begin<S: Serialize>(&self, links: &Arc<Links>, site: &S, builtin_templates: bool) {
        if !self.on {
            return;
        }
        let site = builtin_templates.then(|| serde_json::to_vec(site).ok()).flatten();
        let mut inner = self.lock();
        let same = inner.links.as_ref().is_some_and(|old| same_links(old, links));
        inner.bodies.begin(same);
        inner.links = Some(links.clone());
        let same_site = site.is_some() && inner.site == site;
        inner.pages.begin(same_site);
        inner.site = site;
    }

    /// Ends a build: only its entries are kept.
    pub fn end(&self) {
        let mut inner = self.lock();
        inner.bodies.end();
        inner.pages.end();
    }

    /// The body for these inputs: remembered, or rendered by `render` now.
    pub fn body(
        &self,
        src: &str,
        headings: &[Heading],
        title: &str,
        path: &str,
        root: &str,
        render: impl FnOnce() -> String,
    ) -> String {
        if !self.on {
            return render();
        }
        let key = Keyed::new(BodyKey {
            src: src.to_string(),
            headings: headings
                .iter()
                .map(|h| (h.level, h.text.clone(), h.anchor.clone()))
                .collect(),
            title: title.to_string(),
            path: path.to_string(),
            root: root.to_string(),
        });
        let key = match self.lock().bodies.get(key) {
            Ok(html) => return html.to_string(),
            Err(key) => key,
        };
        // Rendered outside the lock, so the other threads go on meanwhile.
        let html = render();
        self.lock().bodies.current.insert(key, Arc::from(html.as_str()));
        html
    }

    /// The page for these inputs: remembered, or rendered by `render` now.
    /// Data that cannot be serialised to JSON is always rendered.
    pub fn page<T: Serialize + ?Sized, E>(
        &self,
        template: &str,
        path: &str,
        title: &str,
        section: &str,
        data: &T,
        render: impl FnOnce() -> Result<String, E>,
    ) -> Result<String, E> {
        if !self.on || self.lock().site.is_none() {
            return render();
        }
        let Ok(data) = serde_json::to_vec(data) else {
            return render();
        };
        let key = Keyed::new(PageKey {
            template: template.to_string(),
            path: path.to_string(),
            title: title.to_string(),
            section: section.to_string(),
            data,
        });
        let key = match self.lock().pages.get(key) {
            Ok(html) => return Ok(html.to_string()),
            Err(key) => key,
        };
        let html = render()?;
        self.lock().pages.current.insert(key, Arc::from(html.as_str()));
        Ok(html)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn links(page: &str) -> Arc<Links> {
        let mut l = Links::default();
        l.by_id.insert("POL-1".into(), page.into());
        Arc::new(l)
    }

    fn body(memo: &Memo, calls: &Cell<u32>, src: &str, root: &str) -> String {
        memo.body(src, &[], "T", "p.md", root, || {
            calls.set(calls.get() + 1);
            format!("<p>{src}{root}</p>")
        })
    }

    fn page(memo: &Memo, calls: &Cell<u32>, data: &str) -> String {
        let r: Result<String, ()> = memo.page("document.html", "documents/P.html", "P", "document", data, || {
            calls.set(calls.get() + 1);
            Ok(format!("<html>{data}</html>"))
        });
        r.unwrap()
    }

    #[test]
    fn bodies_are_reused_only_for_identical_inputs_and_links() {
        let memo = Memo::default();
        let calls = Cell::new(0);
        memo.begin(&links("documents/POL-1.html"), &"site", true);
        assert_eq!(body(&memo, &calls, "a", ""), "<p>a</p>");
        memo.end();
        assert_eq!(calls.get(), 1);

        memo.begin(&links("documents/POL-1.html"), &"site", true);
        assert_eq!(body(&memo, &calls, "a", ""), "<p>a</p>");
        assert_eq!(calls.get(), 1, "same inputs, same links: reused");
        assert_eq!(body(&memo, &calls, "a", "../"), "<p>a../</p>");
        assert_eq!(calls.get(), 2, "another depth is another body");
        assert_eq!(body(&memo, &calls, "b", ""), "<p>b</p>");
        assert_eq!(calls.get(), 3);
        memo.end();

        // Any change of a link target forgets everything.
        memo.begin(&links("documents/POL-1-renamed.html"), &"site", true);
        body(&memo, &calls, "a", "");
        assert_eq!(calls.get(), 4);
        memo.end();
    }

    #[test]
    fn pages_are_reused_only_for_identical_data_site_and_builtin_templates() {
        let memo = Memo::default();
        let calls = Cell::new(0);
        let l = links("x.html");
        memo.begin(&l, &"site 1", true);
        assert_eq!(page(&memo, &calls, "one"), "<html>one</html>");
        memo.end();
        memo.begin(&l, &"site 1", true);
        assert_eq!(page(&memo, &calls, "one"), "<html>one</html>");
        assert_eq!(calls.get(), 1, "reused");
        assert_eq!(page(&memo, &calls, "two"), "<html>two</html>");
        assert_eq!(calls.get(), 2, "other data: rendered");
        memo.end();
        memo.begin(&l, &"site 2", true);
        page(&memo, &calls, "two");
        assert_eq!(calls.get(), 3, "other site information: rendered");
        memo.end();
        // With the repository's own templates nothing is remembered.
        memo.begin(&l, &"site 2", false);
        page(&memo, &calls, "two");
        memo.end();
        memo.begin(&l, &"site 2", false);
        page(&memo, &calls, "two");
        assert_eq!(calls.get(), 5);
        memo.end();
    }

    #[test]
    fn only_the_last_build_is_kept() {
        let memo = Memo::default();
        let calls = Cell::new(0);
        let l = links("x.html");
        memo.begin(&l, &"s", true);
        body(&memo, &calls, "old", "");
        page(&memo, &calls, "old");
        memo.end();
        memo.begin(&l, &"s", true);
        body(&memo, &calls, "new", "");
        page(&memo, &calls, "new");
        memo.end();
        let inner = memo.lock();
        assert_eq!((inner.bodies.previous.len(), inner.pages.previous.len()), (1, 1));
        assert!(inner.bodies.current.is_empty() && inner.pages.current.is_empty());
    }

    #[test]
    fn an_off_memo_always_renders_and_keeps_nothing() {
        let memo = Memo::off();
        let calls = Cell::new(0);
        let l = links("x.html");
        for _ in 0..2 {
            memo.begin(&l, &"s", true);
            body(&memo, &calls, "a", "");
            page(&memo, &calls, "a");
            memo.end();
        }
        assert_eq!(calls.get(), 4);
        let inner = memo.lock();
        assert!(inner.bodies.previous.is_empty() && inner.pages.previous.is_empty());
    }
}
